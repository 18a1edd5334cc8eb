// Counting categorical codes: one pass over Int32Array codes into a Float64Array of counts.

/**
 * counts[c] = number of i with codes[i] = c, for c in [0, size). Codes outside that range are ignored.
 * @example categoryCounts(new Int32Array([0, 2, 2]), 3) // Float64Array [1, 0, 2]
 */
export function categoryCounts(codes: ArrayLike<number>, size: number): Float64Array {
  const counts = new Float64Array(size);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c >= 0 && c < size) counts[c]!++;
  }
  return counts;
}
