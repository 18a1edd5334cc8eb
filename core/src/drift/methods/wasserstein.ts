// The `wasserstein` drift method: W₁ distance normalized by the reference standard deviation (numerical columns).

import { wassersteinDistance } from '../stats/wasserstein-distance';
import type { ColumnPair, DriftMethod } from '../types';
import { requireNonEmpty, requireNumerical } from './require-type';

/** Population standard deviation (ddof 0), two-pass, as `np.std`. */
function populationStd(x: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]!;
  const mean = sum / x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / x.length);
}

/**
 * scipy `wasserstein_distance(reference, current)` / max(std(reference, ddof=0), 0.001) (Evidently's
 * `wasserstein`); a constant reference divides by 0.001.
 * @example wassersteinScore({ type: 'numerical', reference: new Float64Array([0, 2]), current: new Float64Array([1, 3]) }) // 1
 */
export function wassersteinScore(pair: ColumnPair): number {
  requireNumerical('wasserstein', pair);
  requireNonEmpty('wasserstein', pair);
  const norm = Math.max(populationStd(pair.reference), 0.001);
  return wassersteinDistance(pair.reference, pair.current) / norm;
}

/** Drift when the normalized distance reaches the threshold (default 0.1). */
export const wasserstein = {
  name: 'wasserstein',
  kind: 'distance',
  kinds: ['numerical'],
  defaultThreshold: 0.1,
  score: wassersteinScore,
  drifted: (score: number, threshold: number) => score >= threshold,
} satisfies DriftMethod;
