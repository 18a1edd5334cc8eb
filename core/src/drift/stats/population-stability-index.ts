// The population stability index between two binned distributions, with Evidently's zero filling.

/**
 * Replaces zero shares as Evidently's `get_binned_data(..., feel_zeroes=True)`: by min(non-zero share)/10⁶
 * when that minimum is ≤ 0.0001, else by 0.0001. Returns a new array.
 * @example fillZeroShares(new Float64Array([0, 0.5, 0.5])) // Float64Array [0.0001, 0.5, 0.5]
 */
export function fillZeroShares(shares: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(shares);
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < out.length; i++) if (out[i] !== 0 && out[i]! < min) min = out[i]!;
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  for (let i = 0; i < out.length; i++) if (out[i] === 0) out[i] = fill;
  return out;
}

/**
 * PSI = Σ (rᵢ − cᵢ)·ln(rᵢ / cᵢ) over bins of reference shares r and current shares c, zero shares filled per
 * side by `fillZeroShares` (Evidently's `psi` stat test; Yurdakul 2018, "Statistical properties of PSI").
 * @example populationStabilityIndex([0.5, 0.5], [0.25, 0.75]) // 0.27465307216702745
 */
export function populationStabilityIndex(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const r = fillZeroShares(reference);
  const c = fillZeroShares(current);
  let sum = 0;
  for (let i = 0; i < r.length; i++) sum += (r[i]! - c[i]!) * Math.log(r[i]! / c[i]!);
  return sum;
}
