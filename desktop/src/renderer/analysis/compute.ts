// The analysis itself, free of IndexedDB and workers: drift tables from any two sides, reports, and timelines.
// CSV files go through core's typed-column reader (as `pmm drift` reads them); features come from the model's schema.
import {
  type CategoricalColumn,
  type DriftColumn,
  type DriftOptions,
  type DriftReport,
  type DriftTable,
  driftReport,
  driftTablesFromProfile,
  driftTablesFromRecords,
  type ReferenceProfile,
  readDriftTablesFromCsv,
} from '@pmm/core/drift';
import { classificationMetrics } from '@pmm/core/model';
import { type CsvColumn, type CsvSource, readCsvColumns } from '@pmm/core/table';
import {
  type BlockColumn,
  TAG_ABSENT,
  TAG_NULL,
  TAG_NUMBER,
  TAG_STRING,
  type WindowColumns,
} from '../store/blocks';
import type { FeatureValues } from '../store/db';
import { type FeatureKind, featuresOfCard, MIN_LABELLED_ROWS, type Timeline } from './protocol';

export { type FeatureKind, featuresOfCard };

/** A side with its data loaded. */
export type LoadedSide =
  | { readonly kind: 'profile'; readonly name: string; readonly profile: ReferenceProfile }
  | { readonly kind: 'records'; readonly name: string; readonly records: readonly FeatureValues[] }
  /** A window of the local log read column-wise (store/blocks.ts), or a CSV read by the model's features. */
  | { readonly kind: 'columns'; readonly name: string; readonly window: WindowColumns }
  /** A CSV file as it arrived: read when the other side is known (a CSV pair goes `pmm drift`'s way). */
  | { readonly kind: 'csv'; readonly name: string; readonly source: Uint8Array | string };

/** A CSV column as a block column (numbers as they are; text as tags into its categories). */
function blockColumn(column: CsvColumn, rows: number): BlockColumn {
  if (column.type === 'numerical') return { num: column.values, tag: null, strings: [] };
  if (column.type === 'id') throw new Error('internal: an id column read without its values');
  const tag = new Uint32Array(rows);
  const codes = column.codes;
  for (let i = 0; i < rows; i++) {
    const code = codes[i]!;
    tag[i] = code < 0 ? TAG_NULL : TAG_STRING + code;
  }
  return { num: null, tag, strings: column.categories };
}

/**
 * A CSV read with core's typed-column reader into the shape of a window of the log: the model's features, found
 * by name (or by their source column, e.g. the Telco CSV's `Contract` for `contract`) and typed by the schema.
 * Without features (no model known), every column, types inferred. No per-row objects unless `records()` is asked.
 */
export async function readCsvSide(
  name: string,
  source: CsvSource,
  features: readonly FeatureKind[] | null,
): Promise<LoadedSide> {
  const wanted = features ?? null;
  const types: Record<string, 'numerical' | 'categorical'> = {};
  for (const f of wanted ?? []) {
    types[f.name] = f.kind;
    if (f.column) types[f.column] = f.kind;
  }
  const table = await readCsvColumns(source, {
    name,
    ...(wanted ? { only: Object.keys(types), types } : {}),
  });
  const candidates: readonly FeatureKind[] =
    wanted ?? table.header.map((h) => ({ name: h, kind: 'categorical' as const }));
  const located = candidates.flatMap((f) => {
    const at = table.columns.has(f.name)
      ? f.name
      : f.column !== undefined && table.columns.has(f.column)
        ? f.column
        : null;
    return at === null ? [] : [{ name: f.name, column: table.columns.get(at)! }];
  });
  if (located.length === 0)
    throw new Error(
      `${name} holds none of the model's feature columns (${(wanted ?? []).map((f) => f.name).join(', ')})`,
    );
  const rows = table.rows;
  const columns = new Map<string, BlockColumn>(located.map((l) => [l.name, blockColumn(l.column, rows)]));
  let built: FeatureValues[] | null = null;
  const window: WindowColumns = {
    rows,
    ids: [],
    ts: new Float64Array(rows),
    probability: new Float64Array(rows),
    columns,
    records() {
      // built once, on first use (a timeline compares every bucket with the same reference)
      if (built) return built;
      const out: FeatureValues[] = Array.from({ length: rows }, () => ({}));
      for (const [feature, c] of columns)
        for (let i = 0; i < rows; i++) {
          const t = c.tag ? c.tag[i]! : TAG_NUMBER;
          out[i]![feature] =
            t === TAG_NUMBER
              ? Number.isNaN(c.num![i]!)
                ? null
                : c.num![i]!
              : t >= TAG_STRING
                ? c.strings[t - TAG_STRING]!
                : null;
        }
      built = out;
      return out;
    },
  };
  return { kind: 'columns', name, window };
}

/**
 * Two CSV files compared exactly as `pmm drift` compares them: both read into typed columns by core, id columns
 * (a distinct value in every row) left out and named.
 */
export async function runCsvDrift(
  reference: { readonly name: string; readonly source: CsvSource },
  current: { readonly name: string; readonly source: CsvSource },
  options: DriftOptions = {},
  ignore: readonly string[] = [],
): Promise<{ report: DriftReport; ignored: string[] }> {
  const tables = await readDriftTablesFromCsv(
    reference.source,
    current.source,
    { reference: reference.name, current: current.name },
    { ignore },
  );
  return {
    report: driftReport(tables.reference, tables.current, options),
    ignored: (tables.reference.excluded ?? []).map((e) => e.column),
  };
}

function asRecords(side: LoadedSide): readonly FeatureValues[] {
  if (side.kind === 'records') return side.records;
  if (side.kind === 'columns') return side.window.records();
  if (side.kind === 'csv') throw new Error(`internal: ${side.name} was not read (readCsvSide)`);
  throw new Error('a reference profile can only be the reference side');
}

/**
 * The two drift tables for any pair of sides (CSV files read first with `readCsvSide`, or compared with
 * `runCsvDrift`). Records are compared on the model's features present on both sides, typed by its schema; without
 * a schema on every column both hold, types inferred.
 */
export function buildTables(
  reference: LoadedSide,
  current: LoadedSide,
  ignore: readonly string[] = [],
  features: readonly FeatureKind[] | null = null,
): { reference: DriftTable; current: DriftTable; ignored: string[] } {
  const names = { reference: reference.name, current: current.name };
  if (reference.kind === 'profile' && current.kind === 'columns') {
    const tables = driftTablesFromProfileColumns(reference.profile, current.window, { names, ignore });
    if (tables) return { ...tables, ignored: [] };
  }
  if (reference.kind === 'profile') {
    const tables = driftTablesFromProfile(reference.profile, asRecords(current), { names, ignore });
    return { ...tables, ignored: [] };
  }
  const ref = asRecords(reference);
  const cur = asRecords(current);
  const present = (records: readonly FeatureValues[]) => {
    const seen = new Set<string>();
    for (const r of records.slice(0, 200)) for (const key of Object.keys(r)) seen.add(key);
    return seen;
  };
  const inRef = present(ref);
  const inCur = present(cur);
  const candidates = features ? features.map((f) => f.name) : [...inRef];
  const columns = candidates.filter((c) => inRef.has(c) && inCur.has(c) && !ignore.includes(c));
  const kinds = new Map((features ?? []).map((f) => [f.name, f.kind]));
  const types = Object.fromEntries(columns.flatMap((c) => (kinds.has(c) ? [[c, kinds.get(c)!]] : [])));
  const tables = driftTablesFromRecords(ref, cur, { columns, types, names });
  return { ...tables, ignored: [] };
}

const NUMBER_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * `driftTablesFromProfile(profile, window.records(), options)` without per-row objects: the same tables
 * (core builds the reference side and the shared dictionaries from each column's distinct cells; the current
 * side is encoded here from the typed arrays). Null when a cell would make core throw (a text cell in a
 * numerical column, an infinite number): then the caller takes the records path for core's own error.
 */
export function driftTablesFromProfileColumns(
  profile: ReferenceProfile,
  window: WindowColumns,
  options: { ignore?: readonly string[]; names: { reference: string; current: string } },
): { reference: DriftTable; current: DriftTable } | null {
  const n = window.rows;
  if (n === 0) return null;
  const ignore = new Set(options.ignore ?? []);
  const selected = Object.keys(profile.columns).filter((c) => !ignore.has(c));
  // Per column the text of each distinct non-missing cell (categorical) — what core's dictionary sees.
  const texts = new Map<
    string,
    { readonly byTag: (string | null)[]; readonly numbers: Map<number, string> }
  >();
  const samples: FeatureValues[] = [{}];
  const current = new Map<string, DriftColumn>();
  const encode: (() => void)[] = [];
  for (const column of selected) {
    const spec = Object.hasOwn(profile.columns, column) ? profile.columns[column] : undefined;
    const cells = window.columns.get(column);
    if (!spec || !cells) continue; // core names the error
    const tag = cells.tag;
    const num = cells.num;
    let present = false;
    if (!tag) present = n > 0;
    else for (let i = 0; i < n && !present; i++) if (tag[i] !== TAG_ABSENT) present = true;
    if (!present) continue; // core names the error
    if (spec.type === 'numerical') {
      samples[0]![column] = null;
      const stringValues = cells.strings.map((text) => {
        const t = text.trim();
        if (t === '') return Number.NaN;
        const v = NUMBER_PATTERN.test(t) ? Number(t) : Number.NaN;
        return Number.isFinite(v) ? v : undefined;
      });
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const t = tag ? tag[i]! : TAG_NUMBER;
        if (t === TAG_NUMBER) {
          const v = num![i]!;
          if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) return null;
          values[i] = v;
        } else if (t === TAG_ABSENT || t === TAG_NULL) values[i] = Number.NaN;
        else {
          const v = stringValues[t - TAG_STRING];
          if (v === undefined) return null;
          values[i] = v;
        }
      }
      current.set(column, { type: 'numerical', values });
      continue;
    }
    // Categorical: the distinct texts, each once in the samples.
    const byTag: (string | null)[] = cells.strings.map((text) => (text.trim() === '' ? null : text.trim()));
    const numbers = new Map<number, string>();
    if (num && tag) {
      for (let i = 0; i < n; i++)
        if (tag[i] === TAG_NUMBER && !Number.isNaN(num[i]!)) numbers.set(num[i]!, String(num[i]!));
    } else if (num)
      for (let i = 0; i < n; i++) if (!Number.isNaN(num[i]!)) numbers.set(num[i]!, String(num[i]!));
    texts.set(column, { byTag, numbers });
    const distinct = [...new Set([...byTag.filter((t): t is string => t !== null), ...numbers.values()])];
    if (distinct.length === 0) samples[0]![column] = null;
    distinct.forEach((text, k) => {
      while (samples.length <= k) samples.push({});
      samples[k]![column] = text;
    });
    encode.push(() => {
      const { categories } = tables.current.columns.get(column) as CategoricalColumn;
      const index = new Map(categories.map((c, i) => [c, i]));
      const tagCode = byTag.map((t) => (t === null ? -1 : index.get(t)!));
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const t = tag ? tag[i]! : TAG_NUMBER;
        if (t === TAG_NUMBER) {
          const v = num![i]!;
          codes[i] = Number.isNaN(v) ? -1 : index.get(numbers.get(v)!)!;
        } else if (t === TAG_ABSENT || t === TAG_NULL) codes[i] = -1;
        else codes[i] = tagCode[t - TAG_STRING]!;
      }
      current.set(column, { type: 'categorical', codes, categories });
    });
  }
  // Core builds the reference side, the dictionaries and every error (a column missing on either side).
  const tables = driftTablesFromProfile(profile, samples, options);
  for (const run of encode) run();
  const columns = new Map<string, DriftColumn>();
  for (const column of tables.current.columns.keys()) columns.set(column, current.get(column)!);
  return { reference: tables.reference, current: { name: options.names.current, rows: n, columns } };
}

export function runDrift(
  reference: LoadedSide,
  current: LoadedSide,
  options: DriftOptions = {},
  ignore: readonly string[] = [],
  features: readonly FeatureKind[] | null = null,
): { report: DriftReport; ignored: string[] } {
  const tables = buildTables(reference, current, ignore, features);
  return { report: driftReport(tables.reference, tables.current, options), ignored: tables.ignored };
}

/** A prediction as the timeline needs it. */
export interface TimedPrediction {
  readonly ts: number;
  readonly probability: number;
  readonly features: FeatureValues;
  /** The true outcome when feedback exists. */
  readonly outcome?: number;
}

function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Buckets with fewer predictions than this get no drift score (too few to test). */
export const MIN_BUCKET_ROWS = 30;

export { MIN_LABELLED_ROWS };

/**
 * Splits the window into `buckets` equal time spans and computes, per span: each feature's drift score
 * against the reference, the predicted-probability distribution (mean, p10/p50/p90, share ≥ 0.5) and, where
 * feedback exists, ROC AUC, accuracy, Brier score and calibration (mean predicted vs observed rate).
 */
export function computeTimeline(
  reference: LoadedSide,
  predictions: readonly TimedPrediction[],
  buckets: number,
  options: DriftOptions = {},
  features: readonly FeatureKind[] | null = null,
): Timeline {
  const n = Math.max(1, Math.floor(buckets));
  const empty = (): (number | null)[] => Array.from({ length: n }, () => null);
  const timeline: Timeline = {
    x: [],
    counts: Array.from({ length: n }, () => 0),
    drift: {},
    driftShare: empty(),
    prediction: { mean: empty(), p10: empty(), p50: empty(), p90: empty(), positiveRate: empty() },
    performance: {
      labelled: Array.from({ length: n }, () => 0),
      rocAuc: empty(),
      accuracy: empty(),
      brier: empty(),
      meanPredicted: empty(),
      observedRate: empty(),
    },
  };
  if (predictions.length === 0) return timeline;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const p of predictions) {
    if (p.ts < min) min = p.ts;
    if (p.ts > max) max = p.ts;
  }
  const width = Math.max(1, (max - min) / n);
  const groups: TimedPrediction[][] = Array.from({ length: n }, () => []);
  for (const p of predictions) groups[Math.min(n - 1, Math.floor((p.ts - min) / width))]!.push(p);
  for (let b = 0; b < n; b++) {
    timeline.x.push(Math.round((min + b * width) / 1000));
    const group = groups[b]!;
    timeline.counts[b] = group.length;
    if (group.length === 0) continue;
    const probs = Float64Array.from(group, (p) => p.probability).sort();
    let sum = 0;
    let positive = 0;
    for (const p of probs) {
      sum += p;
      if (p >= 0.5) positive++;
    }
    timeline.prediction.mean[b] = sum / probs.length;
    timeline.prediction.p10[b] = quantileSorted(probs, 0.1);
    timeline.prediction.p50[b] = quantileSorted(probs, 0.5);
    timeline.prediction.p90[b] = quantileSorted(probs, 0.9);
    timeline.prediction.positiveRate[b] = positive / probs.length;

    const labelled = group.filter((p) => p.outcome === 0 || p.outcome === 1);
    timeline.performance.labelled[b] = labelled.length;
    if (labelled.length >= MIN_LABELLED_ROWS) {
      const labels = Uint8Array.from(labelled, (p) => p.outcome!);
      const scores = Float64Array.from(labelled, (p) => p.probability);
      const m = classificationMetrics(labels, scores);
      timeline.performance.rocAuc[b] = finiteOrNull(m.roc_auc);
      timeline.performance.accuracy[b] = m.accuracy;
      timeline.performance.brier[b] = m.brier;
      let predicted = 0;
      let observed = 0;
      for (let i = 0; i < labels.length; i++) {
        predicted += scores[i]!;
        observed += labels[i]!;
      }
      timeline.performance.meanPredicted[b] = predicted / labels.length;
      timeline.performance.observedRate[b] = observed / labels.length;
    }

    if (group.length < MIN_BUCKET_ROWS) continue;
    const current: LoadedSide = { kind: 'records', name: 'bucket', records: group.map((p) => p.features) };
    const { report } = runDrift(reference, current, options, [], features);
    timeline.driftShare[b] = report.number_of_tested_columns > 0 ? report.drift_share : null;
    for (const column of report.columns) {
      let entry = timeline.drift[column.column];
      if (!entry) {
        entry = { method: column.method, scores: empty(), threshold: column.threshold };
        timeline.drift[column.column] = entry;
      }
      entry.scores[b] = column.score_adjusted ?? column.score;
    }
  }
  return timeline;
}
