// Multivariate drift of one drift window: core's data-reconstruction drift (NannyML 0.13), the PCA fitted on the
// version's reference period (its first logged predictions, or model.json's `multivariate` field when present),
// thresholds from the reference period's chunks, the window as one chunk.
import { defaultChunks } from '@pmm/core/chunk';
import { type ModelCard, modelSchemaOf } from '@pmm/core/model';
import {
  ALERT_MEANING,
  analysisDrift,
  fitReconstruction,
  MultivariateInputError,
  parseReconstructionModel,
  referenceDrift,
  referenceDriftFromErrors,
  tableFromRecords,
} from '@pmm/core/multivariate';

export type WindowMultivariate =
  | {
      readonly status: 'ok';
      /** PCA components kept. */
      readonly components: number;
      /** Where the fitted model came from. */
      readonly model_source: 'model.json' | 'model.json (training data)' | 'reference period';
      readonly reference: {
        readonly rows: number;
        readonly chunks: number;
        readonly from: string | null;
        readonly to: string | null;
      };
      readonly rows: number;
      /** Mean reconstruction error of the window's rows. */
      readonly value: number | null;
      readonly sampling_error: number | null;
      readonly upper_confidence_bound: number | null;
      readonly lower_confidence_bound: number | null;
      readonly lower_threshold: number | null;
      readonly upper_threshold: number | null;
      readonly alert: boolean;
      /** What an alert means when no column drifts on its own. */
      readonly meaning: string;
    }
  | { readonly status: 'skipped'; readonly reason: string };

type Records = readonly Record<string, string | number | null>[];

const finiteOrNull = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null);

/** Reconstruction error of the window against the reference period, typed by the model's feature schema. */
export function windowMultivariate(
  card: ModelCard,
  reference: { features: Records; from: string | null; to: string | null },
  window: Records,
  minReferenceRows: number,
): WindowMultivariate {
  const kinds = modelSchemaOf(card).features.map((f) => ({ name: f.name, kind: f.kind }));
  const stored = (card as Record<string, unknown>).multivariate;
  try {
    // A model trained or imported by pmm carries its fit and its reference rows' errors: the reference is then
    // the training data itself. Otherwise the PCA is fitted on the version's first logged predictions.
    const fitted = stored !== undefined ? parseReconstructionModel(stored) : null;
    const errors = fitted?.reference_errors;
    let model: ReturnType<typeof parseReconstructionModel>;
    let drift: ReturnType<typeof referenceDrift>;
    let referenceInfo: { rows: number; chunks: number; from: string | null; to: string | null };
    if (fitted && errors && errors.length >= 10) {
      model = fitted;
      const refChunks = defaultChunks(errors.length);
      drift = referenceDriftFromErrors(model, errors, refChunks);
      referenceInfo = { rows: errors.length, chunks: refChunks.length, from: null, to: null };
    } else {
      if (reference.features.length < Math.max(minReferenceRows, 10))
        return {
          status: 'skipped',
          reason: `the reference period has ${reference.features.length} prediction(s), at least ${Math.max(minReferenceRows, 10)} needed`,
        };
      const refTable = tableFromRecords(reference.features, kinds);
      model = fitted ?? fitReconstruction(refTable);
      const refChunks = defaultChunks(refTable.rows);
      drift = referenceDrift(model, refTable, refChunks);
      referenceInfo = {
        rows: refTable.rows,
        chunks: refChunks.length,
        from: reference.from,
        to: reference.to,
      };
    }
    const table = tableFromRecords(window, kinds);
    const [chunk] = analysisDrift(drift, table, [
      { key: `[0:${table.rows - 1}]`, start_index: 0, end_index: table.rows - 1 },
    ]);
    if (!chunk) return { status: 'skipped', reason: 'the window has no rows' };
    return {
      status: 'ok',
      components: model.pca.components.length,
      model_source: fitted
        ? errors && errors.length >= 10
          ? 'model.json (training data)'
          : 'model.json'
        : 'reference period',
      reference: referenceInfo,
      rows: chunk.rows,
      value: finiteOrNull(chunk.value),
      sampling_error: finiteOrNull(chunk.sampling_error),
      upper_confidence_bound: finiteOrNull(chunk.upper_confidence_bound),
      lower_confidence_bound: finiteOrNull(chunk.lower_confidence_bound),
      lower_threshold: chunk.lower_threshold,
      upper_threshold: chunk.upper_threshold,
      alert: chunk.alert,
      meaning: ALERT_MEANING,
    };
  } catch (err) {
    if (err instanceof MultivariateInputError || (err instanceof Error && err.name === 'ChunkError'))
      return { status: 'skipped', reason: err.message };
    throw err;
  }
}

/** Whether the window's reconstruction error alerted (the `on_multivariate` policy). */
export function multivariateAlert(m: WindowMultivariate | Record<string, unknown>): boolean {
  return m.status === 'ok' && (m as { alert: boolean }).alert === true;
}
