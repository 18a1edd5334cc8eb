// The `jensenshannon` drift method: Jensen–Shannon distance between the binned distributions.

import { binColumnPair } from '../stats/bin-column-pair';
import { jensenShannon } from '../stats/jensen-shannon';
import type { ColumnPair, DriftMethod } from '../types';
import { requireNonEmpty } from './require-type';

/**
 * scipy `jensenshannon(reference_shares, current_shares)` (natural log) over `binColumnPair`'s bins, no zero
 * filling (Evidently's `jensenshannon`).
 * @example jensenshannonScore({ type: 'categorical', reference: new Int32Array([0, 1]), current: new Int32Array([1, 1]), categories: ['a', 'b'] }) // 0.46450140402245893
 */
export function jensenshannonScore(pair: ColumnPair): number {
  requireNonEmpty('jensenshannon', pair);
  const bins = binColumnPair(pair);
  return jensenShannon(bins.reference, bins.current);
}

/** Drift when the distance reaches the threshold (default 0.1). */
export const jensenshannon = {
  name: 'jensenshannon',
  kind: 'distance',
  kinds: ['numerical', 'categorical'],
  defaultThreshold: 0.1,
  score: jensenshannonScore,
  drifted: (score: number, threshold: number) => score >= threshold,
} satisfies DriftMethod;
