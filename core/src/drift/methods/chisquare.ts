// The `chisquare` drift method: chi-square goodness of fit of current counts against scaled reference counts.

import { binByValue } from '../stats/bin-column-pair';
import { chiSquareTest } from '../stats/chi-square-test';
import type { ColumnPair, DriftMethod } from '../types';
import { requireNonEmpty } from './require-type';

/**
 * The p-value of `scipy.stats.chisquare(f_obs, f_exp)` over the union of categories (numerical: distinct values),
 * f_obs the current counts and f_exp the reference counts × n_current/n_reference (Evidently's `chisquare`).
 * A value seen only in current gives p = 0; a single value overall gives NaN (scipy: 0 degrees of freedom).
 * @example chisquareScore({ type: 'categorical', reference: new Int32Array([0, 1]), current: new Int32Array([0, 0]), categories: ['a', 'b'] }) // 0.15729920705028505
 */
export function chisquareScore(pair: ColumnPair): number {
  requireNonEmpty('chisquare', pair);
  const bins = binByValue(pair);
  const scale = pair.current.length / pair.reference.length;
  const expected = new Float64Array(bins.reference.length);
  for (let i = 0; i < expected.length; i++) expected[i] = bins.reference[i]! * scale;
  return chiSquareTest(bins.current, expected).pValue;
}

/** Drift when the chi-square p-value is below the threshold (default 0.05). */
export const chisquare = {
  name: 'chisquare',
  kind: 'test',
  kinds: ['numerical', 'categorical'],
  defaultThreshold: 0.05,
  score: chisquareScore,
  drifted: (score: number, threshold: number) => score < threshold,
} satisfies DriftMethod;
