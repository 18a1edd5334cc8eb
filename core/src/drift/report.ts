// The drift report: per column, the method's score and verdict plus the binned distributions a renderer needs.
import type { ColumnDistribution } from './distribution';
import { DRIFT_METHODS, jensenshannon } from './methods/index';
import { prepareCategorical } from './prepare-categorical';
import { prepareNumerical } from './prepare-numerical';
import {
  checkColumnOptions,
  checkOptions,
  checkThreshold,
  DEFAULT_DRIFT_SHARE,
  type DriftOptions,
  DriftOptionsError,
  defaultMethodName,
  lookupMethod,
} from './report-options';
import { benjaminiHochberg } from './stats/benjamini-hochberg';
import { jensenShannon } from './stats/jensen-shannon';
import {
  type CategoricalColumn,
  DriftDataError,
  type DriftTable,
  type ExcludedColumn,
  type NumericalColumn,
} from './table';
import type { ColumnType, DriftMethod } from './types';

export { type ColumnDistribution, MAX_DISTRIBUTION_LABELS } from './distribution';

export interface ColumnDriftResult {
  readonly column: string;
  readonly type: ColumnType;
  readonly method: string;
  /** `test`: score is a p-value (drift when small); `distance`: score is a distance (drift when large). */
  readonly method_kind: 'test' | 'distance';
  /** p-value or distance; `null` when the column was not tested. */
  readonly score: number | null;
  /** The Benjamini-Hochberg adjusted p-value (only with `correction: 'bh'` and a test method). */
  readonly score_adjusted?: number | null;
  readonly threshold: number;
  readonly drifted: boolean;
  readonly tested: boolean;
  /** Why the column was not tested (e.g. a side with no values). */
  readonly not_tested_reason?: string;
  /**
   * Distinct non-missing values over both sides (what Evidently's default-method rule counts). `null` for
   * a numerical column with more than 5 distinct values among more than 200,000 values: the rule only
   * asks whether it exceeds 5, and counting millions of floats exactly would cost more than the test.
   */
  readonly n_values: number | null;
  /** Missing cells over both tables together: (reference missing + current missing) / (reference rows + current rows). */
  readonly missing_share: number;
  readonly reference: { readonly count: number; readonly missing: number };
  readonly current: { readonly count: number; readonly missing: number };
  readonly distribution: ColumnDistribution;
}

/** The whole report: deterministic (no timestamps), JSON-serialisable, renderable on its own. */
export interface DriftReport {
  readonly reference_rows: number;
  readonly current_rows: number;
  readonly number_of_columns: number;
  readonly number_of_tested_columns: number;
  readonly number_of_drifted_columns: number;
  /** Drifted columns / tested columns (0 when none was tested). */
  readonly drift_share: number;
  /** `drift_share >= options.drift_share` (with at least one column tested). */
  readonly dataset_drift: boolean;
  /** The options as applied. */
  readonly options: {
    readonly method: string | null;
    readonly threshold: number | null;
    readonly drift_share: number;
    readonly correction: 'none' | 'bh';
    readonly columns: Readonly<Record<string, { method?: string; threshold?: number; type?: ColumnType }>>;
  };
  /** One entry per compared column, in table order. */
  readonly columns: ColumnDriftResult[];
  /** Columns of the sources left out, with the reason (present only when some were). */
  readonly excluded_columns?: readonly ExcludedColumn[];
}

function isDriftInputError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'DriftInputError';
}

/**
 * Compares every column the two tables share (they must hold the same columns with the same types, as
 * `buildDriftTables` makes them) and returns the report. Each column gets its method (options, else
 * Evidently's default rule), score and verdict; a column with no values on one side is reported as not
 * tested. `methods` defaults to the built-in registry; pass a record to add custom methods.
 */
export function driftReport(
  reference: DriftTable,
  current: DriftTable,
  options: DriftOptions = {},
  methods: Readonly<Record<string, DriftMethod>> = DRIFT_METHODS,
): DriftReport {
  checkDriftInputs(reference, current, options, methods);
  return assembleDriftReport(
    reference,
    current,
    options,
    scoreDriftColumns(reference, current, options, methods),
  );
}

/** The checks `driftReport` makes before scoring: options, and per-column options against the tables. */
export function checkDriftInputs(
  reference: DriftTable,
  current: DriftTable,
  options: DriftOptions,
  methods: Readonly<Record<string, DriftMethod>> = DRIFT_METHODS,
): void {
  checkOptions(options, methods);
  checkColumnOptions(options, reference, current);
}

/** One column's result and the method that scored it (for the report's correction and summary). */
export interface ScoredColumn {
  readonly result: ColumnDriftResult;
  readonly method: DriftMethod;
}

/**
 * Scores the named columns (default: every reference column) of two tables: each column's method (options,
 * else Evidently's default rule), score and verdict, before any correction. Columns are independent, so
 * disjoint sets of them can be scored in parallel and assembled with `assembleDriftReport`.
 */
export function scoreDriftColumns(
  reference: DriftTable,
  current: DriftTable,
  options: DriftOptions = {},
  methods: Readonly<Record<string, DriftMethod>> = DRIFT_METHODS,
  only?: ReadonlySet<string>,
): ScoredColumn[] {
  const names = { reference: reference.name, current: current.name };
  const scored: ScoredColumn[] = [];
  for (const [column, ref] of reference.columns) {
    if (only && !only.has(column)) continue;
    const cur = current.columns.get(column);
    if (!cur)
      throw new DriftDataError(
        `column "${column}" is in ${reference.name} but not in ${current.name}`,
        column,
      );
    if (ref.type !== cur.type) {
      throw new DriftDataError(
        `column "${column}" is ${ref.type} in ${reference.name} but ${cur.type} in ${current.name}`,
        column,
      );
    }
    const prepared =
      ref.type === 'numerical'
        ? prepareNumerical(ref, cur as NumericalColumn)
        : prepareCategorical(ref, cur as CategoricalColumn, column, names);
    const override = options.columns?.[column];
    const where = ` for column "${column}"`;
    const methodName =
      override?.method ??
      options.method ??
      defaultMethodName(
        ref.type,
        prepared.refLength - prepared.refMissing,
        prepared.nValues ?? Number.POSITIVE_INFINITY,
      );
    const method = lookupMethod(methods, methodName, where);
    if (!method.kinds.includes(ref.type)) {
      throw new DriftOptionsError(
        `method "${method.name}" cannot apply to ${ref.type} column "${column}" (it takes ${method.kinds.join(' or ')} columns)`,
        column,
      );
    }
    const threshold = override?.threshold ?? options.threshold ?? method.defaultThreshold;
    checkThreshold(method, threshold, where);
    let score: number | null = null;
    let reason: string | undefined;
    try {
      // The registry's jensenshannon is jensenShannon over binColumnPair's bins, which the report holds.
      score =
        method === jensenshannon && prepared.bins
          ? jensenShannon(prepared.bins.reference, prepared.bins.current)
          : method.score(prepared.pair());
      if (!Number.isFinite(score)) {
        reason = `the ${method.name} score is not a finite number`;
        score = null;
      }
    } catch (error) {
      if (!isDriftInputError(error)) throw error;
      reason = error.message;
    }
    const refCount = prepared.refLength - prepared.refMissing;
    const curCount = prepared.curLength - prepared.curMissing;
    const rows = prepared.refLength + prepared.curLength;
    scored.push({
      method,
      result: {
        column,
        type: ref.type,
        method: method.name,
        method_kind: method.kind,
        score,
        threshold,
        drifted: score !== null && method.drifted(score, threshold),
        tested: score !== null,
        ...(reason !== undefined ? { not_tested_reason: reason } : {}),
        n_values: prepared.nValues,
        missing_share: rows > 0 ? (prepared.refMissing + prepared.curMissing) / rows : 0,
        reference: { count: refCount, missing: prepared.refMissing },
        current: { count: curCount, missing: prepared.curMissing },
        distribution: prepared.distribution,
      },
    });
  }
  return scored;
}

/**
 * The whole report from every column's scored result, in table order: the correction (if any), the counts,
 * the drift share and the verdict. `scored` must hold exactly the reference table's columns.
 */
export function assembleDriftReport(
  reference: DriftTable,
  current: DriftTable,
  options: DriftOptions,
  scored: readonly ScoredColumn[],
): DriftReport {
  const results = scored.map((s) => s.result);
  const chosen = scored.map((s) => s.method);
  const correction = options.correction ?? 'none';
  if (correction === 'bh') {
    const tests: number[] = [];
    results.forEach((r, i) => {
      if (r.method_kind === 'test' && r.score !== null) tests.push(i);
    });
    const adjusted = benjaminiHochberg(Float64Array.from(tests, (i) => results[i]!.score!));
    results.forEach((r, i) => {
      if (r.method_kind !== 'test') return;
      const k = tests.indexOf(i);
      const p = k >= 0 ? adjusted[k]! : null;
      results[i] = { ...r, score_adjusted: p, drifted: p !== null && chosen[i]!.drifted(p, r.threshold) };
    });
  }
  const tested = results.filter((r) => r.tested).length;
  const drifted = results.filter((r) => r.drifted).length;
  const driftShare = tested > 0 ? drifted / tested : 0;
  const shareThreshold = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  return {
    reference_rows: reference.rows,
    current_rows: current.rows,
    number_of_columns: results.length,
    number_of_tested_columns: tested,
    number_of_drifted_columns: drifted,
    drift_share: driftShare,
    dataset_drift: tested > 0 && driftShare >= shareThreshold,
    options: {
      method: options.method ?? null,
      threshold: options.threshold ?? null,
      drift_share: shareThreshold,
      correction,
      columns: { ...(options.columns ?? {}) },
    },
    columns: results,
    ...(reference.excluded && reference.excluded.length > 0
      ? { excluded_columns: [...reference.excluded] }
      : {}),
  };
}
