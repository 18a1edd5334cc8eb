// Confidence-based performance estimation for binary classification, as NannyML 0.13's CBPE
// (performance_estimation/confidence_based/cbpe.py `_fit_binary`, `_estimate`, metrics.py `get_chunk_record`):
// fit on a labelled reference (sampling-error components, thresholds from the realized metric per reference
// chunk, the calibrate-or-not decision and the isotonic calibrator), then estimate every metric per chunk of any
// data set from its scores and predictions alone. Realized metrics use the uncalibrated scores, as NannyML.

import { type Chunk, defaultChunks } from '../chunk/size-chunks';
import {
  type ConfusionCounts,
  estimateFromConfusion,
  expectedConfusion,
  METRICS,
  type MetricName,
  realizedConfusion,
  realizedFromConfusion,
} from './binary-metrics';
import { type CalibrationDecision, needsCalibration } from './calibration';
import { fitIsotonic, type IsotonicFit, predictIsotonic } from './isotonic';
import { estimateRocAuc, rocAuc } from './roc-auc';
import {
  aurocComponents,
  type SamplingComponents,
  samplingError,
  thresholdComponents,
} from './sampling-error';
import { standardDeviationThresholds } from './thresholds';

/** NannyML's SAMPLING_ERROR_RANGE: bands are estimate ± 3 sampling errors. */
export const SAMPLING_ERROR_RANGE = 3;

/** Rows of one data set in CBPE's terms. Targets are read only where realized values are asked for. */
export interface CbpeData {
  /** Model scores (probability of the positive class), in [0, 1]. */
  readonly scores: ArrayLike<number>;
  /** Predicted labels, 0 or 1. */
  readonly predictions: ArrayLike<number>;
  /**
   * True labels, 0 or 1; required for the reference, optional for analysis data, where NaN marks a row whose
   * label has not arrived (left out of the realized values, as NannyML's `common_nan_removal`).
   */
  readonly targets?: ArrayLike<number>;
}

/** How rows are cut into chunks: a function of the row count (timestamps are sorted by the caller). */
export type Chunker = (rows: number) => Chunk[];

export interface CbpeOptions {
  readonly metrics?: readonly MetricName[];
  readonly chunker?: Chunker;
}

export class CbpeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CbpeInputError';
  }
}

export interface MetricResult {
  readonly estimate: number;
  readonly realized: number;
  readonly sampling_error: number;
  readonly lower_band: number;
  readonly upper_band: number;
  readonly lower_threshold: number;
  readonly upper_threshold: number;
  readonly alert: boolean;
}

export interface ChunkResult {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly rows: number;
  readonly start_date?: string;
  readonly end_date?: string;
  readonly metrics: Partial<Record<MetricName, MetricResult>>;
  /** The expected confusion matrix (counts) and, with targets, the realized one. */
  readonly confusion_matrix: { estimate: ConfusionCounts; realized: ConfusionCounts | null };
}

/** A fitted estimator: plain data, so it can be stored and sent. */
export interface CbpeFit {
  readonly version: 1;
  readonly metrics: readonly MetricName[];
  readonly calibrated: boolean;
  readonly calibration: CalibrationDecision;
  readonly calibrator: IsotonicFit | null;
  readonly components: Partial<Record<MetricName, SamplingComponents>>;
  readonly thresholds: Partial<Record<MetricName, [number, number]>>;
  readonly referenceChunks: ChunkResult[];
}

function slice(a: ArrayLike<number>, from: number, to: number): Float64Array {
  const out = new Float64Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = a[i]!;
  return out;
}

function checkData(name: string, d: CbpeData, needTargets: boolean): void {
  const n = d.scores.length;
  if (d.predictions.length !== n)
    throw new CbpeInputError(`${name}: predictions and scores differ in length`);
  for (let i = 0; i < n; i++) {
    const s = d.scores[i]!;
    if (!(s >= 0 && s <= 1))
      throw new CbpeInputError(`${name}: score in row ${i + 1} is ${s}, outside [0, 1]`);
    const p = d.predictions[i];
    if (p !== 0 && p !== 1)
      throw new CbpeInputError(`${name}: prediction in row ${i + 1} is ${p}, not 0 or 1`);
  }
  if (needTargets && !d.targets) throw new CbpeInputError(`${name}: targets are required`);
  if (d.targets) {
    if (d.targets.length !== n) throw new CbpeInputError(`${name}: targets and scores differ in length`);
    for (let i = 0; i < n; i++) {
      const t = d.targets[i];
      if (!needTargets && Number.isNaN(t)) continue;
      if (t !== 0 && t !== 1) throw new CbpeInputError(`${name}: target in row ${i + 1} is ${t}, not 0 or 1`);
    }
  }
}

function realizedMetric(
  metric: MetricName,
  targets: Float64Array,
  scores: Float64Array,
  preds: Float64Array,
): number {
  if (metric === 'roc_auc') return rocAuc(targets, scores);
  return realizedFromConfusion(metric, realizedConfusion(targets, preds));
}

/** The rows of a chunk whose label is known; null when there are none. */
function labelledRows(targets: Float64Array, scores: Float64Array, preds: Float64Array) {
  const keep: number[] = [];
  for (let i = 0; i < targets.length; i++) if (!Number.isNaN(targets[i]!)) keep.push(i);
  if (keep.length === 0) return null;
  if (keep.length === targets.length) return { targets, scores, preds };
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]!);
  return { targets: pick(targets), scores: pick(scores), preds: pick(preds) };
}

interface Prepared {
  uncalibrated: ArrayLike<number>;
  calibrated: ArrayLike<number>;
}

function chunkRecords(
  fit: Omit<CbpeFit, 'referenceChunks'>,
  data: CbpeData,
  prepared: Prepared,
  chunks: Chunk[],
): ChunkResult[] {
  return chunks.map((c) => {
    const from = c.start_index;
    const to = c.end_index + 1;
    const rows = to - from;
    const cal = slice(prepared.calibrated, from, to);
    const unc = slice(prepared.uncalibrated, from, to);
    const preds = slice(data.predictions, from, to);
    const labelled = data.targets ? labelledRows(slice(data.targets, from, to), unc, preds) : null;
    const expected = expectedConfusion(preds, cal);
    const metrics: Partial<Record<MetricName, MetricResult>> = {};
    for (const m of fit.metrics) {
      const estimate = m === 'roc_auc' ? estimateRocAuc(cal, unc) : estimateFromConfusion(m, expected, rows);
      const se = samplingError(m, fit.components[m]!, rows);
      const [lower, upper] = fit.thresholds[m]!;
      metrics[m] = {
        estimate,
        realized: labelled
          ? realizedMetric(m, labelled.targets, labelled.scores, labelled.preds)
          : Number.NaN,
        sampling_error: se,
        upper_band: Math.min(1, estimate + SAMPLING_ERROR_RANGE * se),
        lower_band: Math.max(0, estimate - SAMPLING_ERROR_RANGE * se),
        lower_threshold: lower,
        upper_threshold: upper,
        alert: estimate < lower || estimate > upper,
      };
    }
    return {
      key: c.key,
      start: from,
      end: c.end_index,
      rows,
      ...(c.start_date ? { start_date: c.start_date, end_date: c.end_date } : {}),
      metrics,
      confusion_matrix: {
        estimate: expected,
        realized: labelled ? realizedConfusion(labelled.targets, labelled.preds) : null,
      },
    };
  });
}

/**
 * A labelled holdout (model.json `reference_predictions`: scores and 0/1 labels) in CBPE's terms, the predictions
 * taken at `threshold`: what a model card's CBPE reference is fitted on. `fitCbpe(holdoutCbpeData(ref))`.
 */
export function holdoutCbpeData(
  holdout: { readonly scores: readonly number[]; readonly targets: readonly number[] },
  threshold = 0.5,
): CbpeData {
  const scores = Float64Array.from(holdout.scores);
  return {
    scores,
    predictions: scores.map((s) => (s >= threshold ? 1 : 0)),
    targets: Float64Array.from(holdout.targets),
  };
}

/**
 * Fits CBPE on a labelled reference: sampling-error components from the whole reference, thresholds from the
 * realized metric per reference chunk, then the calibration decision and the calibrator, then the reference's own
 * chunk estimates. Throws CbpeInputError on scores outside [0, 1], labels other than 0/1, one class, or a chunking
 * that leaves no rows.
 */
export function fitCbpe(reference: CbpeData, options: CbpeOptions = {}): CbpeFit {
  checkData('reference', reference, true);
  const metrics = options.metrics ?? METRICS;
  const chunker = options.chunker ?? defaultChunks;
  const n = reference.scores.length;
  const targets = Float64Array.from(reference.targets!);
  const scores = Float64Array.from(reference.scores);
  const preds = Float64Array.from(reference.predictions);
  let positives = 0;
  for (const t of targets) positives += t;
  if (positives === 0 || positives === n)
    throw new CbpeInputError(`reference: the target has one class only (${positives === 0 ? 0 : 1})`);
  const chunks = chunker(n);
  if (chunks.length === 0) throw new CbpeInputError('reference: too few rows for a chunk');

  const components: Partial<Record<MetricName, SamplingComponents>> = {};
  const thresholds: Partial<Record<MetricName, [number, number]>> = {};
  for (const m of metrics) {
    components[m] =
      m === 'roc_auc' ? aurocComponents(targets, scores) : thresholdComponents(m, targets, preds);
    const realized = chunks.map((c) =>
      realizedMetric(
        m,
        slice(targets, c.start_index, c.end_index + 1),
        slice(scores, c.start_index, c.end_index + 1),
        slice(preds, c.start_index, c.end_index + 1),
      ),
    );
    thresholds[m] = standardDeviationThresholds(realized, 3, [0, 1]);
  }
  let calibration: CalibrationDecision;
  try {
    calibration = needsCalibration(targets, scores);
  } catch (e) {
    throw new CbpeInputError(`reference: cannot decide on calibration: ${(e as Error).message}`);
  }
  const calibrator = calibration.needed ? fitIsotonic(scores, targets) : null;
  const base = {
    version: 1 as const,
    metrics,
    calibrated: calibration.needed,
    calibration,
    calibrator,
    components,
    thresholds,
  };
  const referenceChunks = chunkRecords(base, reference, prepare(base, scores), chunks);
  return { ...base, referenceChunks };
}

function prepare(fit: Pick<CbpeFit, 'calibrator'>, scores: ArrayLike<number>): Prepared {
  return {
    uncalibrated: scores,
    calibrated: fit.calibrator ? predictIsotonic(fit.calibrator, scores) : scores,
  };
}

/**
 * Estimates every metric per chunk of `analysis` (its targets, if any, only fill `realized`).
 * @example estimateCbpe(fitCbpe(ref), { scores, predictions }, (n) => sizeChunks(n, 500))
 */
export function estimateCbpe(
  fit: CbpeFit,
  analysis: CbpeData,
  chunker: Chunker = defaultChunks,
): ChunkResult[] {
  checkData('analysis', analysis, false);
  const chunks = chunker(analysis.scores.length);
  if (chunks.length === 0) throw new CbpeInputError('analysis: too few rows for a chunk');
  return chunkRecords(fit, analysis, prepare(fit, analysis.scores), chunks);
}
