// The key grid the grid sorts share: equal-width cells over a value range, addressed by two counting digits.

/** A high-digit bucket holding more than this many times its share of values means a crowded grid. */
const CROWDED = 32;

/**
 * A grid of up to 2²⁴ cells over [min, min + range] for `n` values: key = ⌊(x − min)·scale⌋ < radix², split into
 * the digits `key & mask` and `key >>> bits` (about 8 cells per value, digits of 4–12 bits). `low` and `high`
 * are zeroed count arrays, one slot per digit value.
 */
export function valueGrid(n: number, range: number) {
  const bits = Math.min(12, Math.max(4, Math.ceil((Math.log2(n) + 3) / 2)));
  const radix = 1 << bits;
  return {
    bits,
    radix,
    mask: radix - 1,
    scale: (radix * radix - 1) / range,
    low: new Int32Array(radix),
    high: new Int32Array(radix),
  };
}

/**
 * Turns the digit counts of `n` values into starting offsets (exclusive prefix sums) in place, and says whether
 * the grid is crowded: values bunched on a small part of the range, which a counting sort handles badly.
 */
export function countsToOffsets(low: Int32Array, high: Int32Array, n: number): boolean {
  let sumLow = 0;
  let sumHigh = 0;
  let crowded = 0;
  for (let d = 0; d < low.length; d++) {
    const a = low[d]!;
    const b = high[d]!;
    low[d] = sumLow;
    high[d] = sumHigh;
    sumLow += a;
    sumHigh += b;
    if (b > crowded) crowded = b;
  }
  return crowded > (CROWDED * n) / low.length;
}
