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
  tableFromRecords,
} from '@pmm/core/multivariate';

export type WindowMultivariate =
  | {
      readonly status: 'ok';
      /** PCA components kept. */
      readonly components: number;
      /** Where the fitted model came from. */
      readonly model_source: 'model.json' | 'reference period';
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
  if (reference.features.length < Math.max(minReferenceRows, 10))
    return {
      status: 'skipped',
      reason: `the reference period has ${reference.features.length} prediction(s), at least ${Math.max(minReferenceRows, 10)} needed`,
    };
  const kinds = modelSchemaOf(card).features.map((f) => ({ name: f.name, kind: f.kind }));
  try {
    const refTable = tableFromRecords(reference.features, kinds);
    const stored = (card as Record<string, unknown>).multivariate;
    const model = stored !== undefined ? parseReconstructionModel(stored) : fitReconstruction(refTable);
    const refChunks = defaultChunks(refTable.rows);
    const drift = referenceDrift(model, refTable, refChunks);
    const table = tableFromRecords(window, kinds);
    const [chunk] = analysisDrift(drift, table, [
      { key: `[0:${table.rows - 1}]`, start_index: 0, end_index: table.rows - 1 },
    ]);
    if (!chunk) return { status: 'skipped', reason: 'the window has no rows' };
    return {
      status: 'ok',
      components: model.pca.components.length,
      model_source: stored !== undefined ? 'model.json' : 'reference period',
      reference: { rows: refTable.rows, chunks: refChunks.length, from: reference.from, to: reference.to },
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
