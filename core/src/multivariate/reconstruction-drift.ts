// NannyML 0.13's DataReconstructionDriftCalculator per chunk (nannyml/drift/multivariate/data_reconstruction/
// calculator.py @ v0.13 `_calculate_chunk_record`, `_calculate_dre_results`, `_set_thresholds`, `_populate_thresholds`;
// nannyml/thresholds.py `StandardDeviationThreshold`, `calculate_threshold_values`). Where docs and code disagree the
// code is followed: calculate_threshold_values' docstring says a value *below* the limit is replaced, the code (since
// 0.9.1) replaces one *equal to or below* it, so a lower threshold <= 0 is dropped (None, as override_using_none=True);
// the thresholds use np.nanmean/np.nanstd (ddof 0) of the reference chunks' values.

import type { Chunk } from '../chunk/size-chunks';
import {
  encodeColumn,
  MultivariateInputError,
  type MultivariateTable,
  type ReconstructionModel,
} from './fit-reconstruction';

/** NannyML's SAMPLING_ERROR_RANGE: confidence bounds are value ± 3 sampling errors. */
export const SAMPLING_ERROR_RANGE = 3;

/**
 * ‖row − Σ_c (row·v_c) v_c‖ for orthonormal components v_c: one row's reconstruction error in the scaled space.
 * `proj` is scratch space of length `components.length` (kept by the caller so a loop allocates nothing).
 */
export function residualNorm(
  row: Float64Array,
  components: readonly (readonly number[] | Float64Array)[],
  proj: Float64Array,
): number {
  const p = row.length;
  const k = components.length;
  for (let c = 0; c < k; c++) {
    const v = components[c]!;
    let s = 0;
    for (let j = 0; j < p; j++) s += row[j]! * v[j]!;
    proj[c] = s;
  }
  let ss = 0;
  for (let j = 0; j < p; j++) {
    let back = 0;
    for (let c = 0; c < k; c++) back += proj[c]! * components[c]![j]!;
    const r = row[j]! - back;
    ss += r * r;
  }
  return Math.sqrt(ss);
}

/**
 * Per-row reconstruction error: impute, encode, scale, project on the kept components and back, then the Euclidean
 * norm of the residual in the scaled space. Columns are matched by name; extra columns are ignored.
 */
export function reconstructionErrors(model: ReconstructionModel, table: MultivariateTable): Float64Array {
  const p = model.columns.length;
  const n = table.rows;
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const z = model.columns.map((fitted, j) => {
    const column = byName.get(fitted.name);
    if (!column) throw new MultivariateInputError(`column "${fitted.name}" is missing`);
    if (column.values.length !== n)
      throw new MultivariateInputError(
        `column "${fitted.name}" has ${column.values.length} values for ${n} rows`,
      );
    const mean = model.scaler.mean[j]!;
    const scale = model.scaler.scale[j]!;
    const centre = model.pca.mean[j]!;
    return encodeColumn(fitted, column).map((v) => (v - mean) / scale - centre);
  });
  const components = model.pca.components;
  const k = components.length;
  const errors = new Float64Array(n);
  const row = new Float64Array(p);
  const proj = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) row[j] = z[j]![i]!;
    errors[i] = residualNorm(row, components, proj);
  }
  return errors;
}

export interface ReconstructionChunk {
  readonly key: string;
  readonly start_index: number;
  readonly end_index: number;
  readonly start_date?: string;
  readonly end_date?: string;
  readonly rows: number;
  /** Mean reconstruction error of the chunk's rows (NaN for an empty chunk). */
  readonly value: number;
  /** std (ddof 1) of the chunk's row errors over √rows: NaN for fewer than 2 rows. */
  readonly sampling_error: number;
  readonly upper_confidence_bound: number;
  /** value − 3 SE, raised to 0 (np.maximum: NaN stays NaN). */
  readonly lower_confidence_bound: number;
  readonly upper_threshold: number | null;
  readonly lower_threshold: number | null;
  readonly alert: boolean;
}

/** A chunk's value and sampling error from its rows' errors (errors[start..end], inclusive). */
export function chunkStatistics(
  errors: ArrayLike<number>,
  start: number,
  end: number,
): { value: number; sampling_error: number } {
  const n = end - start + 1;
  if (n <= 0) return { value: Number.NaN, sampling_error: Number.NaN };
  let s = 0;
  for (let i = start; i <= end; i++) s += errors[i]!;
  const mean = s / n;
  let ss = 0;
  for (let i = start; i <= end; i++) ss += (errors[i]! - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : Number.NaN;
  return { value: mean, sampling_error: std / Math.sqrt(n) };
}

/**
 * Thresholds from the reference chunks' values: nanmean ± 3·nanstd (ddof 0); a lower threshold <= 0 is dropped
 * (null). No upper limit. `reconstructionThresholds([1, 2, 3])` → [null, 4.449489742783178].
 */
export function reconstructionThresholds(values: ArrayLike<number>): [number | null, number | null] {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++)
    if (!Number.isNaN(values[i]!)) {
      s += values[i]!;
      n++;
    }
  const mean = n === 0 ? Number.NaN : s / n;
  let ss = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) ss += (values[i]! - mean) ** 2;
  const std = n === 0 ? Number.NaN : Math.sqrt(ss / n);
  const lower = mean - SAMPLING_ERROR_RANGE * std;
  const upper = mean + SAMPLING_ERROR_RANGE * std;
  return [lower <= 0 ? null : lower, upper];
}

/** NannyML's alert: the value is not strictly between the thresholds (a missing one is ∓∞); NaN alerts. */
export function isAlert(value: number, lower: number | null, upper: number | null): boolean {
  const lo = lower ?? Number.NEGATIVE_INFINITY;
  const up = upper ?? Number.POSITIVE_INFINITY;
  return !(lo < value && value < up);
}

function chunkRecords(
  errors: Float64Array,
  chunks: readonly Chunk[],
  thresholds: [number | null, number | null],
): ReconstructionChunk[] {
  return chunks.map((c) => {
    const { value, sampling_error } = chunkStatistics(errors, c.start_index, c.end_index);
    const low = value - SAMPLING_ERROR_RANGE * sampling_error;
    return {
      key: c.key,
      start_index: c.start_index,
      end_index: c.end_index,
      ...(c.start_date !== undefined ? { start_date: c.start_date } : {}),
      ...(c.end_date !== undefined ? { end_date: c.end_date } : {}),
      rows: c.end_index - c.start_index + 1,
      value,
      sampling_error,
      upper_confidence_bound: value + SAMPLING_ERROR_RANGE * sampling_error,
      lower_confidence_bound: Number.isNaN(low) ? low : Math.max(low, 0),
      lower_threshold: thresholds[0],
      upper_threshold: thresholds[1],
      alert: isAlert(value, thresholds[0], thresholds[1]),
    };
  });
}

export interface ReconstructionDrift {
  readonly model: ReconstructionModel;
  readonly thresholds: [number | null, number | null];
  readonly reference_chunks: readonly ReconstructionChunk[];
}

/** The reference side: its chunks' values (via the fitted model) and the thresholds they give. */
export function referenceDrift(
  model: ReconstructionModel,
  reference: MultivariateTable,
  chunks: readonly Chunk[],
): ReconstructionDrift {
  return referenceDriftFromErrors(model, reconstructionErrors(model, reference), chunks);
}

/**
 * The reference side from its rows' errors, already computed (model.json's `reference_errors`): the same chunks and
 * thresholds as `referenceDrift` on the rows themselves.
 */
export function referenceDriftFromErrors(
  model: ReconstructionModel,
  errors: ArrayLike<number>,
  chunks: readonly Chunk[],
): ReconstructionDrift {
  if (chunks.length === 0) throw new MultivariateInputError('the reference has no chunk');
  const last = chunks[chunks.length - 1]!.end_index;
  if (last >= errors.length)
    throw new MultivariateInputError(`the reference chunks end at row ${last + 1} of ${errors.length}`);
  const all = Float64Array.from(errors);
  const values = chunks.map((c) => chunkStatistics(all, c.start_index, c.end_index).value);
  const thresholds = reconstructionThresholds(values);
  return { model, thresholds, reference_chunks: chunkRecords(all, chunks, thresholds) };
}

/** The analysis chunks' reconstruction errors, thresholds and alerts. */
export function analysisDrift(
  drift: ReconstructionDrift,
  analysis: MultivariateTable,
  chunks: readonly Chunk[],
): ReconstructionChunk[] {
  return chunkRecords(reconstructionErrors(drift.model, analysis), chunks, drift.thresholds);
}
