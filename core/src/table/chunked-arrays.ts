// Append-only typed columns kept as fixed-size chunks, so growing never copies and the final array is exact.

const CHUNK = 1 << 16;

/** Float64 values appended one at a time; `toArray` copies them into one exact-length Float64Array. */
export class ChunkedFloat64 {
  private readonly chunks: Float64Array[] = [];
  private current = new Float64Array(CHUNK);
  private at = 0;
  length = 0;

  push(value: number): void {
    if (this.at === CHUNK) {
      this.chunks.push(this.current);
      this.current = new Float64Array(CHUNK);
      this.at = 0;
    }
    this.current[this.at++] = value;
    this.length++;
  }

  /** The values as one array; the chunks are released. */
  toArray(): Float64Array {
    const out = new Float64Array(this.length);
    let k = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, k);
      k += CHUNK;
    }
    out.set(this.current.subarray(0, this.at), k);
    this.chunks.length = 0;
    return out;
  }
}

/**
 * Small non-negative integers (dictionary codes + 1, 0 = missing) appended one at a time, stored in Uint8 chunks
 * while every value fits, widened to Uint16 then Uint32 when one does not.
 */
export class ChunkedCodes {
  private chunks: (Uint8Array | Uint16Array | Uint32Array)[] = [];
  private current: Uint8Array | Uint16Array | Uint32Array = new Uint8Array(CHUNK);
  private at = 0;
  private max = 0xff;
  length = 0;

  push(code: number): void {
    if (code > this.max) this.widen(code);
    if (this.at === CHUNK) {
      this.chunks.push(this.current);
      this.current =
        this.max === 0xff
          ? new Uint8Array(CHUNK)
          : this.max === 0xffff
            ? new Uint16Array(CHUNK)
            : new Uint32Array(CHUNK);
      this.at = 0;
    }
    this.current[this.at++] = code;
    this.length++;
  }

  /** Appends `count` zeros (missing cells). */
  pushZeros(count: number): void {
    for (let i = 0; i < count; i++) this.push(0);
  }

  private widen(code: number): void {
    this.max = code > 0xffff ? 0xffffffff : 0xffff;
    const make = (n: number) => (this.max === 0xffff ? new Uint16Array(n) : new Uint32Array(n));
    this.chunks = this.chunks.map((c) => {
      const w = make(CHUNK);
      w.set(c);
      return w;
    });
    const w = make(CHUNK);
    w.set(this.current);
    this.current = w;
  }

  /** The codes minus one as an Int32Array (missing = -1); the chunks are released. */
  toInt32(): Int32Array {
    const out = new Int32Array(this.length);
    let k = 0;
    const copy = (chunk: Uint8Array | Uint16Array | Uint32Array, n: number) => {
      for (let i = 0; i < n; i++) out[k++] = chunk[i]! - 1;
    };
    for (const chunk of this.chunks) copy(chunk, CHUNK);
    copy(this.current, this.at);
    this.chunks = [];
    return out;
  }
}
