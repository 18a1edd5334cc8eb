// The `z` drift method: pooled two-proportion z-test on the share of the first category.

import { twoProportionZTest } from '../stats/two-proportion-z-test';
import type { ColumnPair, DriftMethod } from '../types';
import { requireNonEmpty } from './require-type';

/** The smallest code (categorical) or value (numerical) present on either side. */
function firstValue(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < a.length; i++) if (a[i]! < min) min = a[i]!;
  for (let i = 0; i < b.length; i++) if (b[i]! < min) min = b[i]!;
  return min;
}

function countEqual(a: ArrayLike<number>, v: number): number {
  let c = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === v) c++;
  return c;
}

/**
 * Two-sided p-value of the pooled two-proportion z-test on the share of the first category (categorical: the
 * first in sorted order present on either side; numerical: the smallest value), as Evidently's `z` stat test.
 * p = 1 when both sides hold only the same single value.
 * @example zScore({ type: 'categorical', reference: new Int32Array([0, 0, 1, 1]), current: new Int32Array([0, 1, 1, 1]), categories: ['a', 'b'] }) // 0.4652088184521418
 */
export function zScore(pair: ColumnPair): number {
  requireNonEmpty('z', pair);
  const first = firstValue(pair.reference, pair.current);
  const x1 = countEqual(pair.reference, first);
  const x2 = countEqual(pair.current, first);
  return twoProportionZTest(x1, pair.reference.length, x2, pair.current.length).pValue;
}

/** Drift when the z-test p-value is below the threshold (default 0.05). */
export const z = {
  name: 'z',
  kind: 'test',
  kinds: ['numerical', 'categorical'],
  defaultThreshold: 0.05,
  score: zScore,
  drifted: (score: number, threshold: number) => score < threshold,
} satisfies DriftMethod;
