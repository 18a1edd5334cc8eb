// The pooled two-proportion z-test, two-sided, as Evidently's `z` stat test.

import { erfc } from './erfc';

export interface ZTestResult {
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * z = (p₁ − p₂)/√(P(1 − P)(1/n₁ + 1/n₂)) with p₁ = x₁/n₁, p₂ = x₂/n₂ and the pooled P = (x₁ + x₂)/(n₁ + n₂);
 * two-sided p = 2(1 − Φ(|z|)), computed as erfc(|z|/√2) to keep precision in the tail. When P is 0 or 1
 * (nothing to compare) z = 0 and p = 1.
 * @example twoProportionZTest(30, 100, 50, 100).pValue // 0.003892417122778628
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): ZTestResult {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (!(variance > 0)) return { statistic: 0, pValue: 1 };
  const z = (p1 - p2) / Math.sqrt(variance);
  return { statistic: z, pValue: erfc(Math.abs(z) * Math.SQRT1_2) };
}
