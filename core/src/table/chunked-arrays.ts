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

/** Int32 codes appended one at a time; `toInt32` copies them into one exact-length Int32Array. */
export class ChunkedInt32 {
  private readonly chunks: Int32Array[] = [];
  private current = new Int32Array(CHUNK);
  private at = 0;
  length = 0;

  push(value: number): void {
    if (this.at === CHUNK) {
      this.chunks.push(this.current);
      this.current = new Int32Array(CHUNK);
      this.at = 0;
    }
    this.current[this.at++] = value;
    this.length++;
  }

  /** Appends `count` copies of `value`. */
  pushMany(value: number, count: number): void {
    for (let i = 0; i < count; i++) this.push(value);
  }

  /** The values as one array; the chunks are released. */
  toInt32(): Int32Array {
    const out = new Int32Array(this.length);
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
