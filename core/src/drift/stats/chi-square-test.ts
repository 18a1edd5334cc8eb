// Pearson's chi-square goodness-of-fit test of observed against expected counts, as scipy `chisquare`.

import { chiSquareSf } from './gamma-incomplete';

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * χ² = Σ (oᵢ − eᵢ)²/eᵢ with k − 1 degrees of freedom, p = Q((k−1)/2, χ²/2) (`scipy.stats.chisquare(f_obs, f_exp)`).
 * As scipy: an expected 0 with a positive observation gives χ² = +∞ and p = 0; k = 1 gives p = NaN.
 * @example chiSquareTest([10, 20], [15, 15]).pValue // 0.06788915486182893
 */
export function chiSquareTest(observed: ArrayLike<number>, expected: ArrayLike<number>): ChiSquareResult {
  const k = observed.length;
  let stat = 0;
  for (let i = 0; i < k; i++) {
    const d = observed[i]! - expected[i]!;
    stat += (d * d) / expected[i]!;
  }
  return { statistic: stat, pValue: chiSquareSf(stat, k - 1) };
}
