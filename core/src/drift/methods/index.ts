// The registry of drift methods by name, as the report and CLI look them up.

import type { DriftMethod } from '../types';
import { chisquare } from './chisquare';
import { jensenshannon } from './jensenshannon';
import { ks } from './ks';
import { psi } from './psi';
import { wasserstein } from './wasserstein';
import { z } from './z';

export { DriftInputError } from '../stats/drift-input-error';
export { chisquare, jensenshannon, ks, psi, wasserstein, z };

/**
 * Every drift method by its name (`ks`, `chisquare`, `z`, `wasserstein`, `jensenshannon`, `psi`).
 * A method's `score` throws DriftInputError for a pair it cannot score (an empty side, or a categorical column
 * given to a numerical-only method). Inputs hold no NaN: the table layer removes missing values before building
 * a ColumnPair, and the statistics do not check again (a NaN would make comparisons, sorts and sums meaningless).
 */
export const DRIFT_METHODS: Readonly<Record<string, DriftMethod>> = {
  ks,
  chisquare,
  z,
  wasserstein,
  jensenshannon,
  psi,
};
