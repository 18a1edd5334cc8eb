// Drift of a profile against a model's reference profile. Categorical columns are exact (the report is the
// one raw rows give: every categorical method needs only counts). Numerical columns are known only on the
// layout's bins: `ks` and `wasserstein` are bracketed by a bound computed from the bins, and a verdict whose
// bound straddles the threshold is `indeterminate`.

import { categoricalDistribution } from '../drift/distribution';
import { chisquare, DRIFT_METHODS, jensenshannon, psi, z } from '../drift/methods/index';
import type { ReferenceProfile } from '../drift/profile';
import { type ColumnDriftResult, type DriftReport, driftReport } from '../drift/report';
import {
  checkOptions,
  checkThreshold,
  DEFAULT_DRIFT_SHARE,
  type DriftOptions,
  DriftOptionsError,
  defaultMethodName,
  lookupMethod,
} from '../drift/report-options';
import { shares } from '../drift/stats/bin-column-pair';
import { chiSquareTest } from '../drift/stats/chi-square-test';
import { jensenShannon } from '../drift/stats/jensen-shannon';
import { ksFromStatistic } from '../drift/stats/ks-two-sample';
import { populationStabilityIndex } from '../drift/stats/population-stability-index';
import { twoProportionZTest } from '../drift/stats/two-proportion-z-test';
import { type CategoricalColumn, compareText, type DriftColumn, type DriftTable } from '../drift/table';
import { type CategoricalProfile, type NumericalProfile, type Profile, ProfileError } from './profile';
import type { FeatureBins, ProfileSpec } from './spec';

export type ProfileVerdict = 'drift' | 'no_drift' | 'indeterminate' | 'not_tested';

export interface ProfileColumnDriftResult extends ColumnDriftResult {
  /** True when the score is what raw rows would give (categorical columns; numerical when the bins pin it). */
  readonly exact: boolean;
  /** The range the raw-row score lies in ([score, score] when exact); null when not tested. */
  readonly score_bound: readonly [number, number] | null;
  readonly verdict: ProfileVerdict;
}

export interface ProfileDriftReport extends Omit<DriftReport, 'columns'> {
  readonly source: 'profile';
  readonly number_of_indeterminate_columns: number;
  readonly columns: ProfileColumnDriftResult[];
}

/** Numerical methods that can be bracketed from bins. */
const BINNED_METHODS = new Set(['ks', 'wasserstein']);
/** Bars a numerical column's chart groups the layout's bins into. */
const CHART_BINS = 20;

function expandCategorical(counts: Readonly<Record<string, number>>, missing: number): CategoricalColumn {
  const categories = Object.keys(counts);
  let total = missing;
  for (const c of categories) total += counts[c]!;
  const codes = new Int32Array(total);
  let at = 0;
  categories.forEach((c, code) => {
    codes.fill(code, at, at + counts[c]!);
    at += counts[c]!;
  });
  codes.fill(-1, at);
  return { type: 'categorical', codes, categories };
}

/**
 * A categorical column's result straight from the counts, for the built-in methods (chisquare, z, jensenshannon,
 * psi: each needs only the per-category counts), so a profile of 100M rows is not expanded into codes. The same
 * numbers as driftReport over the expanded codes (prepareCategorical's present-category union, the methods'
 * statistics); null for any other method (the caller expands).
 */
function categoricalFromCounts(
  column: string,
  ref: Readonly<Record<string, number>>,
  refMissing: number,
  cur: Readonly<Record<string, number>>,
  curMissing: number,
  options: DriftOptions,
): ColumnDriftResult | null {
  const categories = [...new Set([...Object.keys(ref), ...Object.keys(cur)])]
    .filter((c) => (ref[c] ?? 0) > 0 || (cur[c] ?? 0) > 0)
    .sort(compareText);
  const refByCode = categories.map((c) => ref[c] ?? 0);
  const curByCode = categories.map((c) => cur[c] ?? 0);
  const refCount = refByCode.reduce((a, b) => a + b, 0);
  const curCount = curByCode.reduce((a, b) => a + b, 0);
  const override = options.columns?.[column];
  const where = ` for column "${column}"`;
  const methodName =
    override?.method ?? options.method ?? defaultMethodName('categorical', refCount, categories.length);
  const method = lookupMethod(DRIFT_METHODS, methodName, where);
  if (![chisquare, z, jensenshannon, psi].includes(method as never)) return null;
  const threshold = override?.threshold ?? options.threshold ?? method.defaultThreshold;
  checkThreshold(method, threshold, where);
  let score: number | null = null;
  let reason: string | undefined;
  if (refCount === 0 || curCount === 0)
    reason = `${method.name}: the ${refCount === 0 ? 'reference' : 'current'} sample is empty (no non-missing values)`;
  else {
    const r = Float64Array.from(refByCode);
    const c = Float64Array.from(curByCode);
    if (method === chisquare)
      score = chiSquareTest(
        c,
        r.map((x) => (x * curCount) / refCount),
      ).pValue;
    else if (method === z) score = twoProportionZTest(r[0]!, refCount, c[0]!, curCount).pValue;
    else if (method === jensenshannon) score = jensenShannon(refByCode, curByCode);
    else score = populationStabilityIndex(shares(r), shares(c));
    if (!Number.isFinite(score)) {
      reason = `the ${method.name} score is not a finite number`;
      score = null;
    }
  }
  const rows = refCount + refMissing + curCount + curMissing;
  return {
    column,
    type: 'categorical',
    method: method.name,
    method_kind: method.kind,
    score,
    threshold,
    drifted: score !== null && method.drifted(score, threshold),
    tested: score !== null,
    ...(reason !== undefined ? { not_tested_reason: reason } : {}),
    n_values: categories.length,
    missing_share: rows > 0 ? (refMissing + curMissing) / rows : 0,
    reference: { count: refCount, missing: refMissing },
    current: { count: curCount, missing: curMissing },
    distribution: categoricalDistribution(categories, refByCode, curByCode, refCount, curCount),
  };
}

/** Index of the first value > x in ascending `sorted` (the count of values ≤ x). */
function countAtMost(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Bracket {
  readonly low: number;
  readonly high: number;
  readonly estimate: number;
}

/** KS statistic bounds: exact at every edge; within a bin both CDFs are monotone between their edge values. */
export function ksStatisticBounds(
  reference: ArrayLike<number>,
  edges: readonly number[],
  counts: readonly number[],
): Bracket {
  const nRef = reference.length;
  const nCur = counts.reduce((a, b) => a + b, 0);
  let cum = 0;
  let prevR = 0;
  let prevC = 0;
  let low = 0;
  let high = 0;
  for (let k = 0; k <= edges.length; k++) {
    cum += counts[k]!;
    const r = k < edges.length ? countAtMost(reference, edges[k]!) / nRef : 1;
    const c = k < edges.length ? cum / nCur : 1;
    low = Math.max(low, Math.abs(r - c));
    high = Math.max(high, r - prevC, c - prevR, Math.abs(r - c));
    prevR = r;
    prevC = c;
  }
  return { low, high, estimate: (low + high) / 2 };
}

function populationStd(x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]!;
  const mean = sum / x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i]! - mean) ** 2;
  return Math.sqrt(ss / x.length);
}

/** The interval of bin k's values: (edges[k−1], edges[k]] clipped to the profile's [min, max]. */
function binInterval(edges: readonly number[], k: number, min: number, max: number): [number, number] {
  const lo = k === 0 ? min : Math.max(edges[k - 1]!, min);
  const hi = k === edges.length ? max : Math.min(edges[k]!, max);
  return [lo, Math.max(lo, hi)];
}

/**
 * Evidently's normalised Wasserstein distance bracketed from bins: W₁ to the current mass placed at each
 * bin's midpoint, ± the most that moving each bin's mass within its interval can change it (half the width).
 */
export function wassersteinBounds(
  reference: ArrayLike<number>,
  edges: readonly number[],
  column: NumericalProfile,
): Bracket {
  const nRef = reference.length;
  const nCur = column.n;
  const points: number[] = [];
  const weights: number[] = [];
  let slack = 0;
  for (let k = 0; k <= edges.length; k++) {
    const c = column.counts[k]!;
    if (c === 0) continue;
    const [lo, hi] = binInterval(edges, k, column.min!, column.max!);
    points.push((lo + hi) / 2);
    weights.push(c / nCur);
    slack += (c / nCur) * ((hi - lo) / 2);
  }
  // ∫|F_ref − F_cur| dx by one merge walk over the reference values and the weighted points.
  let i = 0;
  let j = 0;
  let fr = 0;
  let fc = 0;
  let x = Math.min(reference[0]!, points[0]!);
  let w = 0;
  while (i < nRef || j < points.length) {
    const next = j >= points.length || (i < nRef && reference[i]! <= points[j]!) ? reference[i]! : points[j]!;
    w += Math.abs(fr - fc) * (next - x);
    x = next;
    while (i < nRef && reference[i]! === next) {
      fr = (i + 1) / nRef;
      i++;
    }
    while (j < points.length && points[j]! === next) {
      fc += weights[j]!;
      j++;
    }
  }
  const norm = Math.max(populationStd(reference), 0.001);
  return { low: Math.max(0, (w - slack) / norm), high: (w + slack) / norm, estimate: w / norm };
}

function numericalChart(
  reference: ArrayLike<number>,
  edges: readonly number[],
  column: NumericalProfile,
): ColumnDriftResult['distribution'] {
  const lo = Math.min(reference[0] ?? Number.POSITIVE_INFINITY, column.min ?? Number.POSITIVE_INFINITY);
  const hi = Math.max(
    reference[reference.length - 1] ?? Number.NEGATIVE_INFINITY,
    column.max ?? Number.NEGATIVE_INFINITY,
  );
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    return { kind: 'histogram', edges: [], reference: [], current: [] };
  const step = Math.max(1, Math.ceil((edges.length + 1) / CHART_BINS));
  const cuts: number[] = []; // indices of layout edges that close a chart bar
  for (let k = step - 1; k < edges.length; k += step) cuts.push(k);
  const chartEdges = [lo, ...cuts.map((k) => edges[k]!).filter((e) => e > lo && e < hi), hi];
  const ref = new Array(chartEdges.length - 1).fill(0);
  const cur = new Array(chartEdges.length - 1).fill(0);
  let prev = 0;
  for (let b = 1; b < chartEdges.length; b++) {
    const upTo = b === chartEdges.length - 1 ? reference.length : countAtMost(reference, chartEdges[b]!);
    ref[b - 1] = upTo - prev;
    prev = upTo;
  }
  for (let k = 0, b = 0; k <= edges.length; k++) {
    while (b < chartEdges.length - 2 && k < edges.length && edges[k]! > chartEdges[b + 1]!) b++;
    cur[b] += column.counts[k]!;
  }
  const share = (xs: number[], n: number) => xs.map((x) => (n > 0 ? x / n : 0));
  return {
    kind: 'histogram',
    edges: chartEdges,
    reference: share(ref, reference.length),
    current: share(cur, column.n),
  };
}

function numericalResult(
  name: string,
  bins: FeatureBins & { kind: 'numerical' },
  refValues: Float64Array,
  refMissing: number,
  column: NumericalProfile,
  options: DriftOptions,
): ProfileColumnDriftResult {
  const override = options.columns?.[name];
  const where = ` for column "${name}"`;
  let distinct = 0;
  for (let i = 0; i < refValues.length; i++) if (i === 0 || refValues[i] !== refValues[i - 1]) distinct++;
  const methodName =
    override?.method ?? options.method ?? defaultMethodName('numerical', refValues.length, distinct);
  const method = lookupMethod(DRIFT_METHODS, methodName, where);
  const threshold = override?.threshold ?? options.threshold ?? method.defaultThreshold;
  checkThreshold(method, threshold, where);
  const curMissing = column.missing + column.invalid;
  const rows = refValues.length + refMissing + column.n + curMissing;
  const base = {
    column: name,
    type: 'numerical' as const,
    method: method.name,
    method_kind: method.kind,
    threshold,
    n_values: null,
    missing_share: rows > 0 ? (refMissing + curMissing) / rows : 0,
    reference: { count: refValues.length, missing: refMissing },
    current: { count: column.n, missing: curMissing },
    distribution: numericalChart(refValues, bins.edges, column),
  };
  const untested = (reason: string): ProfileColumnDriftResult => ({
    ...base,
    score: null,
    drifted: false,
    tested: false,
    not_tested_reason: reason,
    exact: false,
    score_bound: null,
    verdict: 'not_tested',
  });
  if (!BINNED_METHODS.has(method.name))
    return untested(
      `from a profile, numerical columns are tested with ks or wasserstein, not ${method.name}`,
    );
  if (refValues.length === 0 || column.n === 0) return untested('a side has no values');
  let low: number;
  let high: number;
  let score: number;
  if (method.name === 'ks') {
    const d = ksStatisticBounds(refValues, bins.edges, column.counts);
    // The p-value falls as the statistic grows.
    low = ksFromStatistic(d.high, refValues.length, column.n).pValue;
    high = ksFromStatistic(d.low, refValues.length, column.n).pValue;
    score = ksFromStatistic(d.estimate, refValues.length, column.n).pValue;
  } else {
    const w = wassersteinBounds(refValues, bins.edges, column);
    low = w.low;
    high = w.high;
    score = w.estimate;
  }
  const atLow = method.drifted(low, threshold);
  const atHigh = method.drifted(high, threshold);
  const verdict: ProfileVerdict =
    atLow && atHigh ? 'drift' : !atLow && !atHigh ? 'no_drift' : 'indeterminate';
  return {
    ...base,
    score,
    drifted: verdict === 'drift',
    tested: true,
    exact: low === high,
    score_bound: [low, high],
    verdict,
  };
}

/**
 * The drift report of `current` (a profile of `spec`'s layout) against the model's reference profile, in the
 * shape of `pmm drift`'s report plus, per column, `exact`, `score_bound` and `verdict`. Indeterminate
 * columns count as tested and not drifted; `number_of_indeterminate_columns` says how many there are.
 */
export function profileDriftReport(
  reference: ReferenceProfile,
  spec: ProfileSpec,
  current: Profile,
  options: DriftOptions = {},
): ProfileDriftReport {
  if (current.layout_hash !== spec.hash)
    throw new ProfileError(
      `the profile's layout ${current.layout_hash} is not this model's (${spec.hash}): build it with this model`,
    );
  if ((options.correction ?? 'none') !== 'none')
    throw new DriftOptionsError('a correction is not available for drift from profiles');
  checkOptions(options, DRIFT_METHODS);
  const categorical = spec.features.filter((f) => f.kind === 'categorical');
  const refColumns = new Map<string, DriftColumn>();
  const curColumns = new Map<string, DriftColumn>();
  const fromCounts = new Map<string, ColumnDriftResult>();
  for (const f of categorical) {
    const ref = reference.columns[f.name];
    const cur = current.columns[f.name] as CategoricalProfile | undefined;
    if (ref?.type !== 'categorical' || cur?.type !== 'categorical')
      throw new ProfileError(`column "${f.name}" is missing or not categorical`);
    const direct = categoricalFromCounts(f.name, ref.counts, ref.missing, cur.counts, cur.missing, options);
    if (direct) {
      fromCounts.set(f.name, direct);
      continue;
    }
    refColumns.set(f.name, expandCategorical(ref.counts, ref.missing));
    curColumns.set(f.name, expandCategorical(cur.counts, cur.missing));
  }
  const names = new Set(refColumns.keys());
  const categoricalOptions: DriftOptions = {
    ...options,
    columns: Object.fromEntries(Object.entries(options.columns ?? {}).filter(([c]) => names.has(c))),
  };
  const side = (name: string, columns: Map<string, DriftColumn>): DriftTable => ({
    name,
    rows: columns.values().next().value
      ? (columns.values().next().value as CategoricalColumn).codes.length
      : 0,
    columns,
  });
  const exactPart =
    refColumns.size > 0
      ? driftReport(side('reference', refColumns), side('profile', curColumns), categoricalOptions).columns
      : [];
  const byName = new Map([...fromCounts, ...exactPart.map((c) => [c.column, c] as const)]);
  const columns: ProfileColumnDriftResult[] = spec.features.map((f) => {
    if (f.kind === 'categorical') {
      const c = byName.get(f.name)!;
      return {
        ...c,
        exact: true,
        score_bound: c.score === null ? null : [c.score, c.score],
        verdict: c.tested ? (c.drifted ? 'drift' : 'no_drift') : 'not_tested',
      };
    }
    const ref = reference.columns[f.name];
    const cur = current.columns[f.name] as NumericalProfile | undefined;
    if (ref?.type !== 'numerical' || cur?.type !== 'numerical')
      throw new ProfileError(`column "${f.name}" is missing or not numerical`);
    return numericalResult(f.name, f, Float64Array.from(ref.values), ref.missing, cur, options);
  });
  const tested = columns.filter((c) => c.tested).length;
  const drifted = columns.filter((c) => c.drifted).length;
  const shareThreshold = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  const driftShare = tested > 0 ? drifted / tested : 0;
  return {
    source: 'profile',
    reference_rows: reference.rows,
    current_rows: current.rows,
    number_of_columns: columns.length,
    number_of_tested_columns: tested,
    number_of_drifted_columns: drifted,
    number_of_indeterminate_columns: columns.filter((c) => c.verdict === 'indeterminate').length,
    drift_share: driftShare,
    dataset_drift: tested > 0 && driftShare >= shareThreshold,
    options: {
      method: options.method ?? null,
      threshold: options.threshold ?? null,
      drift_share: shareThreshold,
      correction: 'none',
      columns: { ...(options.columns ?? {}) },
    },
    columns,
  };
}
