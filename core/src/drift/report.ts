// The drift report: per column, the method's score and verdict plus the binned distributions a renderer needs.
import { DRIFT_METHODS, jensenshannon } from './methods/index';
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
import { type BinnedColumn, binColumnPair } from './stats/bin-column-pair';
import { histogramCounts, sturgesBinEdges } from './stats/histogram-bin-edges';
import { jensenShannon } from './stats/jensen-shannon';
import {
  type CategoricalColumn,
  compareText,
  DriftDataError,
  type DriftTable,
  type ExcludedColumn,
  type NumericalColumn,
} from './table';
import type { ColumnPair, ColumnType, DriftMethod } from './types';

/** Categories shown one by one in a distribution; the rest are folded into one "other" bar. */
export const MAX_DISTRIBUTION_LABELS = 20;

/**
 * A column's distribution on both sides as shares of its non-missing values (each side sums to 1, or
 * all zeros when the side has no values). `histogram`: `edges` has one more entry than the shares
 * (bins are [edge_i, edge_i+1), the last one closed). `values`: one bar per label; when `other` > 0 the
 * last label folds that many categories together.
 */
export type ColumnDistribution =
  | {
      readonly kind: 'histogram';
      readonly edges: number[];
      readonly reference: number[];
      readonly current: number[];
    }
  | {
      readonly kind: 'values';
      readonly labels: string[];
      readonly reference: number[];
      readonly current: number[];
      readonly other: number;
    };

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

interface Prepared {
  /** The column pair the method scores, built on first use (a categorical pair may need its codes copied). */
  pair: () => ColumnPair;
  /**
   * The shared bins `binColumnPair` gives this pair, when the report already has them (both sides non-empty):
   * the registry's `jensenshannon` scores exactly these, so the report does not bin the column a second time.
   */
  bins: { readonly reference: ArrayLike<number>; readonly current: ArrayLike<number> } | null;
  nValues: number | null;
  refMissing: number;
  curMissing: number;
  refLength: number;
  curLength: number;
  distribution: ColumnDistribution;
}

function shares(counts: ArrayLike<number>, total: number): number[] {
  const out = new Array<number>(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = total > 0 ? counts[i]! / total : 0;
  return out;
}

/**
 * The non-missing values of a numerical column and how many cells were missing (NaN), in one read: the column
 * itself when nothing is missing; else, from the first NaN on, the rest is compacted into a new array (the
 * result is a view of its first `length − missing` elements).
 */
function nonMissing(values: Float64Array): { values: Float64Array; missing: number } {
  const n = values.length;
  let first = 0;
  while (first < n && !Number.isNaN(values[first])) first++;
  if (first === n) return { values, missing: 0 };
  const out = new Float64Array(n - 1);
  out.set(values.subarray(0, first));
  let k = first;
  for (let i = first + 1; i < n; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) out[k++] = v;
  }
  return { values: out.subarray(0, k), missing: n - k };
}

/** Up to `limit + 1` distinct values of both sides (stops early). */
function fewDistinct(a: Float64Array, b: Float64Array, limit: number): number {
  const seen = new Float64Array(limit + 1);
  let n = 0;
  for (const values of [a, b]) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      let j = 0;
      while (j < n && seen[j] !== v) j++;
      if (j === n) {
        seen[n++] = v;
        if (n > limit) return n;
      }
    }
  }
  return n;
}

/** The chart bins of a numerical pair: `binned`, the bins the binned methods use (null: a side is empty). */
function numericalDistribution(
  pair: ColumnPair & { type: 'numerical' },
  binned: BinnedColumn | null,
): ColumnDistribution {
  const refCount = pair.reference.length;
  const curCount = pair.current.length;
  if (refCount + curCount === 0) return { kind: 'histogram', edges: [], reference: [], current: [] };
  if (binned) {
    if (binned.kind === 'values') {
      return {
        kind: 'values',
        labels: Array.from(binned.values, (v) => String(v)),
        reference: shares(binned.reference, refCount),
        current: shares(binned.current, curCount),
        other: 0,
      };
    }
    if (binned.kind === 'histogram') {
      return {
        kind: 'histogram',
        edges: Array.from(binned.edges),
        reference: shares(binned.reference, refCount),
        current: shares(binned.current, curCount),
      };
    }
  }
  // One side is empty: bin the other on its own range so the chart still shows it.
  const edges = sturgesBinEdges(pair.reference, pair.current);
  return {
    kind: 'histogram',
    edges: Array.from(edges),
    reference: shares(histogramCounts(pair.reference, edges), refCount),
    current: shares(histogramCounts(pair.current, edges), curCount),
  };
}

function prepareNumerical(ref: NumericalColumn, cur: NumericalColumn): Prepared {
  const { values: reference, missing: refMissing } = nonMissing(ref.values);
  const { values: current, missing: curMissing } = nonMissing(cur.values);
  const few = fewDistinct(reference, current, 5);
  const pair = { type: 'numerical', reference, current } as const;
  const binned = reference.length > 0 && current.length > 0 ? binColumnPair(pair) : null;
  return {
    pair: () => pair,
    bins: binned,
    nValues: few <= 5 ? few : countDistinctNumerical(reference, current),
    refMissing,
    curMissing,
    refLength: ref.values.length,
    curLength: cur.values.length,
    distribution: numericalDistribution(pair, binned),
  };
}

/** Exact distinct count of two value arrays (hash set; only used above 5 distinct values). */
function countDistinctNumerical(a: Float64Array, b: Float64Array): number | null {
  if (a.length + b.length > 200_000) return null;
  const seen = new Set<number>();
  for (let i = 0; i < a.length; i++) seen.add(a[i]!);
  for (let i = 0; i < b.length; i++) seen.add(b[i]!);
  return seen.size;
}

function isSorted(categories: readonly string[]): boolean {
  for (let i = 1; i < categories.length; i++) if (!(categories[i - 1]! < categories[i]!)) return false;
  return true;
}

/** Dictionaries this small (with the missing slot) count codes two at a time: (size + 1)² pair cells. */
const PAIR_COUNT_MAX_CELLS = 1024;

/** Per-code counts; index 0 counts missing (-1). Codes outside the dictionary are an error. */
function countCodes(codes: Int32Array, size: number, where: string): Int32Array {
  const s = size + 1;
  const n = codes.length;
  if (s * s > PAIR_COUNT_MAX_CELLS) {
    const counts = new Int32Array(s);
    for (let i = 0; i < n; i++) counts[codes[i]! + 1]!++;
    let total = 0;
    for (let i = 0; i < s; i++) total += counts[i]!;
    if (total !== n) throw new DriftDataError(`${where}: categorical codes outside the dictionary`);
    return counts;
  }
  // One increment per pair of codes: with a handful of categories, consecutive codes keep hitting the same
  // counter, and half as many dependent increments count the column about 1.4× faster.
  const pairs = new Int32Array(s * s);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const a = codes[i]! + 1;
    const b = codes[i + 1]! + 1;
    if (a >>> 0 >= s || b >>> 0 >= s) break;
    pairs[a * s + b]!++;
  }
  const counts = new Int32Array(s);
  for (; i < n; i++) {
    const a = codes[i]! + 1;
    if (a >>> 0 >= s) throw new DriftDataError(`${where}: categorical codes outside the dictionary`);
    counts[a]!++;
  }
  for (let a = 0; a < s; a++) {
    for (let b = 0; b < s; b++) {
      const k = pairs[a * s + b]!;
      counts[a]! += k;
      counts[b]! += k;
    }
  }
  return counts;
}

function remapCodes(codes: Int32Array, missing: number, map: Int32Array, identity: boolean): Int32Array {
  if (identity && missing === 0) return codes;
  const out = new Int32Array(codes.length - missing);
  let k = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c >= 0) out[k++] = map[c]!;
  }
  return out;
}

function prepareCategorical(
  ref: CategoricalColumn,
  cur: CategoricalColumn,
  column: string,
  names: { reference: string; current: string },
): Prepared {
  const refCounts = countCodes(ref.codes, ref.categories.length, `${names.reference}: column "${column}"`);
  const curCounts = countCodes(cur.codes, cur.categories.length, `${names.current}: column "${column}"`);
  // The union dictionary, sorted, keeping only categories that occur on either side.
  const shared = ref.categories === cur.categories && isSorted(ref.categories);
  const union = shared
    ? ref.categories
    : [...new Set([...ref.categories, ...cur.categories])].sort(compareText);
  const unionIndex = shared ? null : new Map(union.map((c, i) => [c, i]));
  const present = new Int32Array(union.length);
  const unionRef = new Float64Array(union.length);
  const unionCur = new Float64Array(union.length);
  const refToUnion = new Int32Array(ref.categories.length);
  const curToUnion = new Int32Array(cur.categories.length);
  ref.categories.forEach((c, i) => {
    const u = unionIndex ? unionIndex.get(c)! : i;
    refToUnion[i] = u;
    unionRef[u] = unionRef[u]! + refCounts[i + 1]!;
  });
  cur.categories.forEach((c, i) => {
    const u = unionIndex ? unionIndex.get(c)! : i;
    curToUnion[i] = u;
    unionCur[u] = unionCur[u]! + curCounts[i + 1]!;
  });
  const categories: string[] = [];
  for (let u = 0; u < union.length; u++) {
    if (unionRef[u]! > 0 || unionCur[u]! > 0) {
      present[u] = categories.length;
      categories.push(union[u]!);
    } else present[u] = -1;
  }
  const refMap = refToUnion.map((u) => present[u]!);
  const curMap = curToUnion.map((u) => present[u]!);
  const identity = (map: Int32Array): boolean => map.every((v, i) => v === i);
  const refMissing = refCounts[0]!;
  const curMissing = curCounts[0]!;
  const refCount = ref.codes.length - refMissing;
  const curCount = cur.codes.length - curMissing;
  const refByCode: number[] = [];
  const curByCode: number[] = [];
  for (let u = 0; u < union.length; u++) {
    if (present[u]! >= 0) {
      refByCode.push(unionRef[u]!);
      curByCode.push(unionCur[u]!);
    }
  }
  // Remapping the codes (a copy of each side when a map is not the identity or cells are missing) is only
  // needed when a method reads them; the counts above already give the chart and the shared bins.
  let pair: ColumnPair | undefined;
  const makePair = (): ColumnPair => {
    pair ??= {
      type: 'categorical',
      reference: remapCodes(ref.codes, refMissing, refMap, identity(refMap)),
      current: remapCodes(cur.codes, curMissing, curMap, identity(curMap)),
      categories,
    };
    return pair;
  };
  return {
    pair: makePair,
    // binColumnPair's category bins: each side's count per present category, in category order.
    bins: refCount > 0 && curCount > 0 ? { reference: refByCode, current: curByCode } : null,
    nValues: categories.length,
    refMissing,
    curMissing,
    refLength: ref.codes.length,
    curLength: cur.codes.length,
    distribution: categoricalDistribution(categories, refByCode, curByCode, refCount, curCount),
  };
}

/** The most frequent categories (both sides together) one by one, the rest folded into one bar. */
function categoricalDistribution(
  categories: readonly string[],
  ref: readonly number[],
  cur: readonly number[],
  refCount: number,
  curCount: number,
): ColumnDistribution {
  const refShare = shares(ref, refCount);
  const curShare = shares(cur, curCount);
  const order = categories.map((_, i) => i);
  if (categories.length <= MAX_DISTRIBUTION_LABELS) {
    return { kind: 'values', labels: [...categories], reference: refShare, current: curShare, other: 0 };
  }
  order.sort((a, b) => refShare[b]! + curShare[b]! - (refShare[a]! + curShare[a]!) || a - b);
  const keep = order.slice(0, MAX_DISTRIBUTION_LABELS - 1);
  const rest = order.slice(MAX_DISTRIBUTION_LABELS - 1);
  const sum = (s: number[], idx: number[]): number => idx.reduce((acc, i) => acc + s[i]!, 0);
  return {
    kind: 'values',
    labels: [...keep.map((i) => categories[i]!), `other (${rest.length} categories)`],
    reference: [...keep.map((i) => refShare[i]!), sum(refShare, rest)],
    current: [...keep.map((i) => curShare[i]!), sum(curShare, rest)],
    other: rest.length,
  };
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
  checkOptions(options, methods);
  checkColumnOptions(options, reference, current);
  const names = { reference: reference.name, current: current.name };
  const results: ColumnDriftResult[] = [];
  const scores: (number | null)[] = [];
  const chosen: DriftMethod[] = [];
  for (const [column, ref] of reference.columns) {
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
    scores.push(score);
    chosen.push(method);
    const refCount = prepared.refLength - prepared.refMissing;
    const curCount = prepared.curLength - prepared.curMissing;
    const rows = prepared.refLength + prepared.curLength;
    results.push({
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
    });
  }
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
