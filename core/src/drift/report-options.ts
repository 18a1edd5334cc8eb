// The drift report's one options object, its validation against the data and methods, and Evidently's default-method rule.
import type { DriftTable } from './table';
import { DriftDataError } from './table';
import type { ColumnType, DriftMethod } from './types';

export type DriftMethodName = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi';

/** A per-column override: the method, its threshold, or the column's type. */
export interface ColumnOptions {
  readonly method?: string;
  readonly threshold?: number;
  readonly type?: ColumnType;
}

/**
 * Options for a drift report. `method`/`threshold` apply to every column unless `columns` overrides
 * them; without a method each column gets Evidently's default (see `defaultMethodName`) and without a
 * threshold the method's default. `driftShare` (default 0.5) is the share of drifted columns at which
 * the data set counts as drifted. `correction: 'bh'` applies Benjamini-Hochberg to the p-values of the
 * statistical tests (off by default).
 */
export interface DriftOptions {
  readonly method?: string;
  readonly threshold?: number;
  readonly columns?: Readonly<Record<string, ColumnOptions>>;
  readonly driftShare?: number;
  readonly correction?: 'none' | 'bh';
}

/** Invalid report options: names the option, method or column at fault. */
export class DriftOptionsError extends Error {
  readonly column: string | undefined;
  constructor(message: string, column?: string) {
    super(message);
    this.name = 'DriftOptionsError';
    this.column = column;
  }
}

export const DEFAULT_DRIFT_SHARE = 0.5;

/**
 * Evidently's default method for a column (`get_stattest`): with at most 1000 reference values,
 * `ks` for a numerical column with more than 5 distinct values, else `chisquare` above 2 distinct values,
 * else `z`; with more than 1000, `wasserstein` for a numerical column above 5 distinct values, else
 * `jensenshannon`. `nValues` counts distinct non-missing values of both sides together.
 */
export function defaultMethodName(
  type: ColumnType,
  referenceCount: number,
  nValues: number,
): DriftMethodName {
  if (referenceCount <= 1000) {
    if (type === 'numerical' && nValues > 5) return 'ks';
    return nValues > 2 ? 'chisquare' : 'z';
  }
  return type === 'numerical' && nValues > 5 ? 'wasserstein' : 'jensenshannon';
}

/** Looks a method up by name; an unknown name is an error listing the known ones. */
export function lookupMethod(
  methods: Readonly<Record<string, DriftMethod>>,
  name: string,
  where: string,
): DriftMethod {
  const method = Object.hasOwn(methods, name) ? methods[name] : undefined;
  if (!method) {
    throw new DriftOptionsError(
      `unknown drift method "${name}"${where} (known: ${Object.keys(methods).join(', ')})`,
    );
  }
  return method;
}

/** A threshold must be a p-value level in (0, 1) for a test and a positive distance for a distance. */
export function checkThreshold(method: DriftMethod, threshold: number, where: string): void {
  const ok = Number.isFinite(threshold) && threshold > 0 && (method.kind === 'distance' || threshold < 1);
  if (!ok) {
    const rule = method.kind === 'test' ? 'a p-value level between 0 and 1 (exclusive)' : 'a positive number';
    throw new DriftOptionsError(
      `threshold ${threshold}${where} is out of range: method "${method.name}" needs ${rule}`,
    );
  }
}

/**
 * Checks options that do not depend on the data: known methods, threshold ranges where the method is
 * fixed, drift share in (0, 1], correction. Column-level checks happen as the report runs.
 */
export function checkOptions(options: DriftOptions, methods: Readonly<Record<string, DriftMethod>>): void {
  if (options.method !== undefined) {
    const method = lookupMethod(methods, options.method, '');
    if (options.threshold !== undefined) checkThreshold(method, options.threshold, '');
  } else if (
    options.threshold !== undefined &&
    !(Number.isFinite(options.threshold) && options.threshold > 0)
  ) {
    throw new DriftOptionsError(
      `threshold ${options.threshold} is out of range: it must be a positive number`,
    );
  }
  const share = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  if (!(Number.isFinite(share) && share > 0 && share <= 1)) {
    throw new DriftOptionsError(`drift share ${share} is out of range: it must be in (0, 1]`);
  }
  if (options.correction !== undefined && options.correction !== 'none' && options.correction !== 'bh') {
    throw new DriftOptionsError(`correction must be "none" or "bh" (got "${String(options.correction)}")`);
  }
  for (const [column, o] of Object.entries(options.columns ?? {})) {
    if (o.method !== undefined) lookupMethod(methods, o.method, ` for column "${column}"`);
    if (o.type !== undefined && o.type !== 'numerical' && o.type !== 'categorical') {
      throw new DriftOptionsError(`column "${column}": type must be numerical or categorical`);
    }
  }
}

/** Per-column options must name columns of the tables, and a forced type must match the table's. */
export function checkColumnOptions(options: DriftOptions, reference: DriftTable, current: DriftTable): void {
  for (const [column, o] of Object.entries(options.columns ?? {})) {
    const ref = reference.columns.get(column);
    const cur = current.columns.get(column);
    if (!ref || !cur) {
      const where =
        !ref && !cur ? `${reference.name} or ${current.name}` : !ref ? reference.name : current.name;
      throw new DriftDataError(`options name column "${column}", which is not in ${where}`, column);
    }
    if (ref.type !== cur.type) {
      throw new DriftDataError(
        `column "${column}" is ${ref.type} in ${reference.name} but ${cur.type} in ${current.name}`,
        column,
      );
    }
    if (o.type !== undefined && o.type !== ref.type) {
      throw new DriftDataError(
        `column "${column}" is ${ref.type} in the data, not ${o.type} as the options say`,
        column,
      );
    }
  }
}
