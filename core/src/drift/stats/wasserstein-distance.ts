// The first Wasserstein (earth mover's) distance between two one-dimensional samples.

import { DriftInputError } from './drift-input-error';
import { sortFloat64 } from './sort-float64';

/**
 * W₁ between the empirical distributions of two ascending-sorted samples: ∫ |U(x) − V(x)| dx, U and V the
 * empirical CDFs (as `scipy.stats.wasserstein_distance(u, v)`). A single merge walk over both arrays, no
 * combined array. Throws DriftInputError when either side is empty.
 * @example wassersteinSorted(new Float64Array([0, 1, 3]), new Float64Array([5, 6, 8])) // 5
 */
export function wassersteinSorted(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const n1 = u.length;
  const n2 = v.length;
  if (n1 === 0 || n2 === 0)
    throw new DriftInputError('wasserstein distance needs a non-empty sample on each side');
  // Consume one element at a time, smallest first. Between the previous value x and the next value v both
  // empirical CDFs are flat at i/n1 and j/n2; |i/n1 − j/n2| = |i·n2 − j·n1| / (n1·n2) is kept as an exact
  // integer (n1·n2 < 2⁵³ for any realistic size) and the division is done once at the end.
  let i = 0;
  let j = 0;
  let x = Math.min(u[0]!, v[0]!);
  let sum = 0;
  while (i < n1 && j < n2) {
    const a = u[i]!;
    const b = v[j]!;
    if (a <= b) {
      sum += Math.abs(i * n2 - j * n1) * (a - x);
      x = a;
      i++;
    } else {
      sum += Math.abs(i * n2 - j * n1) * (b - x);
      x = b;
      j++;
    }
  }
  for (; i < n1; i++) {
    const a = u[i]!;
    sum += Math.abs(i * n2 - j * n1) * (a - x);
    x = a;
  }
  for (; j < n2; j++) {
    const b = v[j]!;
    sum += Math.abs(i * n2 - j * n1) * (b - x);
    x = b;
  }
  return sum / n1 / n2;
}

/**
 * W₁ between two unsorted samples (sorts copies with `sortFloat64`, then `wassersteinSorted`).
 * @example wassersteinDistance([0, 1, 3], [5, 6, 8]) // 5
 */
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  return wassersteinSorted(sortFloat64(u), sortFloat64(v));
}
