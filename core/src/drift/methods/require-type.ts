// Shared guards for the method units: a column type a method does not apply to, and empty sides.

import { DriftInputError } from '../stats/drift-input-error';
import type { ColumnPair } from '../types';

/** Throws DriftInputError unless both sides of `pair` are non-empty. */
export function requireNonEmpty(method: string, pair: ColumnPair): void {
  if (pair.reference.length === 0 || pair.current.length === 0) {
    const side = pair.reference.length === 0 ? 'reference' : 'current';
    throw new DriftInputError(`${method}: the ${side} sample is empty (no non-missing values)`);
  }
}

/** Narrows `pair` to a numerical pair or throws DriftInputError naming the method. */
export function requireNumerical(
  method: string,
  pair: ColumnPair,
): asserts pair is Extract<ColumnPair, { type: 'numerical' }> {
  if (pair.type !== 'numerical') throw new DriftInputError(`${method} applies to numerical columns only`);
}
