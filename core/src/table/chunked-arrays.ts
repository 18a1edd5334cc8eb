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
 * Category codes (-1 = missing) appended one at a time, kept in Int8 chunks while every code fits, widened to
 * Int16 then Int32 when one does not: a column of a few categories costs one byte per row.
 */
export class ChunkedCodes {
  private chunks: (Int8Array | Int16Array | Int32Array)[] = [];
  private current: Int8Array | Int16Array | Int32Array = new Int8Array(CHUNK);
  private at = 0;
  private max = 0x7f;
  length = 0;

  push(code: number): void {
    if (code > this.max) this.widen(code);
    if (this.at === CHUNK) {
      this.chunks.push(this.current);
      this.current = this.make(CHUNK);
      this.at = 0;
    }
    this.current[this.at++] = code;
    this.length++;
  }

  /** Appends `count` copies of `value`. */
  pushMany(value: number, count: number): void {
    for (let i = 0; i < count; i++) this.push(value);
  }

  private make(n: number): Int8Array | Int16Array | Int32Array {
    return this.max === 0x7f ? new Int8Array(n) : this.max === 0x7fff ? new Int16Array(n) : new Int32Array(n);
  }

  private widen(code: number): void {
    this.max = code > 0x7fff ? 0x7fffffff : 0x7fff;
    const widened = (c: Int8Array | Int16Array | Int32Array) => {
      const w = this.make(CHUNK);
      w.set(c);
      return w;
    };
    this.chunks = this.chunks.map(widened);
    this.current = widened(this.current);
  }

  /** The codes as one exact-length array of the narrowest type; the chunks are released. */
  toArray(): Int8Array | Int16Array | Int32Array {
    const out = this.make(this.length);
    let k = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, k);
      k += CHUNK;
    }
    out.set(this.current.subarray(0, this.at), k);
    this.chunks = [];
    return out;
  }
}
