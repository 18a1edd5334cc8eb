// The `psi` drift method: population stability index between the binned distributions.

import { binColumnPair, shares } from '../stats/bin-column-pair';
import { populationStabilityIndex } from '../stats/population-stability-index';
import type { ColumnPair, DriftMethod } from '../types';
import { requireNonEmpty } from './require-type';

/**
 * Σ (r − c)·ln(r/c) over `binColumnPair`'s bins of shares, zero shares filled per side (Evidently's `psi`).
 * @example psiScore({ type: 'categorical', reference: new Int32Array([0, 1]), current: new Int32Array([0, 1, 1, 1]), categories: ['a', 'b'] }) // 0.27465307216702745
 */
export function psiScore(pair: ColumnPair): number {
  requireNonEmpty('psi', pair);
  const bins = binColumnPair(pair);
  return populationStabilityIndex(shares(bins.reference), shares(bins.current));
}

/** Drift when the index reaches the threshold (default 0.1). */
export const psi = {
  name: 'psi',
  kind: 'distance',
  kinds: ['numerical', 'categorical'],
  defaultThreshold: 0.1,
  score: psiScore,
  drifted: (score: number, threshold: number) => score >= threshold,
} satisfies DriftMethod;
