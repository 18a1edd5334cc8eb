// The Jensen–Shannon distance between two discrete distributions (natural log), as scipy.

/** x·ln(x/y) with scipy `rel_entr`'s conventions: 0 when x = 0, +∞ when y = 0 < x. */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

/**
 * JS distance √(½ KL(p‖m) + ½ KL(q‖m)), m = (p + q)/2, after normalizing p and q to sum 1
 * (scipy `spatial.distance.jensenshannon(p, q)`, natural log, so 0 ≤ JS ≤ √ln 2). No zero filling.
 * A rounding-level negative divergence is clamped to 0 (scipy would return NaN there).
 * @example jensenShannon([0.5, 0.5, 0], [0, 0.1, 0.9]) // 0.7469797975180145
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const k = p.length;
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < k; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let left = 0;
  let right = 0;
  for (let i = 0; i < k; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    left += relEntr(pi, m);
    right += relEntr(qi, m);
  }
  const js = left + right;
  return Math.sqrt(Math.max(js, 0) / 2);
}
