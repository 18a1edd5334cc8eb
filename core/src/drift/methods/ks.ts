// The `ks` drift method: two-sample Kolmogorov–Smirnov p-value (numerical columns).

import { ksTwoSample } from '../stats/ks-two-sample';
import type { ColumnPair, DriftMethod } from '../types';
import { requireNonEmpty, requireNumerical } from './require-type';

/**
 * The two-sided p-value of scipy `ks_2samp(reference, current, method='auto')` (exact up to 10000 values per side).
 * @example ksScore({ type: 'numerical', reference: new Float64Array([1, 2, 3]), current: new Float64Array([4, 5, 6]) }) // 0.09999999999999999
 */
export function ksScore(pair: ColumnPair): number {
  requireNumerical('ks', pair);
  requireNonEmpty('ks', pair);
  return ksTwoSample(pair.reference, pair.current).pValue;
}

/** Drift when the KS p-value is below the threshold (default 0.05). */
export const ks = {
  name: 'ks',
  kind: 'test',
  kinds: ['numerical'],
  defaultThreshold: 0.05,
  score: ksScore,
  drifted: (score: number, threshold: number) => score < threshold,
} satisfies DriftMethod;
