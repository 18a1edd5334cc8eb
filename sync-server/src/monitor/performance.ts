// Label-free performance of one drift window: core's CBPE (NannyML 0.13) fitted on the version's holdout scores and
// targets (model.json `reference_predictions`), estimating the window's logged probabilities as one chunk; realized
// values where feedback has arrived.
import { defaultChunks } from '@pmm/core/chunk';
import {
  type CbpeData,
  type CbpeFit,
  CbpeInputError,
  estimateCbpe,
  fitCbpe,
  holdoutCbpeData,
} from '@pmm/core/estimate';
import type { ModelCard } from '@pmm/core/model';

/** Probability at or above which a score counts as a positive prediction, for the holdout and the window alike. */
export const DECISION_THRESHOLD = 0.5;

export type WindowPerformance =
  | {
      readonly status: 'ok';
      readonly calibrated: boolean;
      readonly threshold: number;
      readonly reference_rows: number;
      readonly reference_chunks: number;
      readonly rows: number;
      readonly labelled: number;
      /** Per metric: estimate, realized (null until a label arrived), sampling error, bands, thresholds, alert. */
      readonly metrics: Record<string, Record<string, number | boolean | null>>;
      readonly confusion_matrix: unknown;
    }
  | { readonly status: 'skipped'; readonly reason: string };

const fits = new Map<string, CbpeFit | string>();

/** The fit for a version (cached: a version's card never changes), or why there is none. */
export function performanceFit(card: ModelCard): CbpeFit | string {
  const key = `${card.version}\u0000${card.onnx_sha256}`;
  let fit = fits.get(key);
  if (fit === undefined) {
    const ref = card.reference_predictions;
    if (!ref)
      fit = `model version ${card.version} carries no reference_predictions (holdout scores and targets)`;
    else {
      try {
        fit = fitCbpe(holdoutData(card)!, { chunker: defaultChunks });
      } catch (err) {
        if (!(err instanceof CbpeInputError) && !(err instanceof Error && err.name === 'ChunkError'))
          throw err;
        fit = `holdout of ${card.version}: ${err.message}`;
      }
    }
    if (fits.size > 64) fits.clear();
    fits.set(key, fit);
  }
  return fit;
}

/** The version's holdout in CBPE's terms (predictions at DECISION_THRESHOLD), or null when it carries none. */
export function holdoutData(card: ModelCard): CbpeData | null {
  const ref = card.reference_predictions;
  return ref ? holdoutCbpeData(ref, DECISION_THRESHOLD) : null;
}

/** The window's rows in CBPE's terms: NaN targets where no label has arrived. */
export function windowData(rows: readonly { probability: number; outcome: number | null }[]): CbpeData {
  const scores = Float64Array.from(rows, (r) => r.probability);
  return {
    scores,
    predictions: scores.map((s) => (s >= DECISION_THRESHOLD ? 1 : 0)),
    targets: Float64Array.from(rows, (r) => (r.outcome === null ? Number.NaN : r.outcome)),
  };
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/** CBPE for one window (one chunk of all its rows). */
export function windowPerformance(
  card: ModelCard,
  rows: readonly { probability: number; outcome: number | null }[],
): WindowPerformance {
  const fit = performanceFit(card);
  if (typeof fit === 'string') return { status: 'skipped', reason: fit };
  if (rows.length === 0) return { status: 'skipped', reason: 'the window has no rows' };
  let chunk: ReturnType<typeof estimateCbpe>[number];
  try {
    [chunk] = estimateCbpe(fit, windowData(rows), (n) => [
      { key: `[0:${n - 1}]`, start_index: 0, end_index: n - 1 },
    ]) as [ReturnType<typeof estimateCbpe>[number]];
  } catch (err) {
    if (err instanceof CbpeInputError) return { status: 'skipped', reason: err.message };
    throw err;
  }
  const metrics: Record<string, Record<string, number | boolean | null>> = {};
  for (const [name, m] of Object.entries(chunk.metrics)) {
    metrics[name] = {
      estimate: finiteOrNull(m.estimate),
      realized: finiteOrNull(m.realized),
      sampling_error: finiteOrNull(m.sampling_error),
      lower_band: finiteOrNull(m.lower_band),
      upper_band: finiteOrNull(m.upper_band),
      lower_threshold: finiteOrNull(m.lower_threshold),
      upper_threshold: finiteOrNull(m.upper_threshold),
      alert: m.alert,
    };
  }
  return {
    status: 'ok',
    calibrated: fit.calibrated,
    threshold: DECISION_THRESHOLD,
    reference_rows: card.reference_predictions!.scores.length,
    reference_chunks: fit.referenceChunks.length,
    rows: rows.length,
    labelled: rows.filter((r) => r.outcome !== null).length,
    metrics,
    confusion_matrix: chunk.confusion_matrix,
  };
}

/** Whether the window's estimated ROC AUC fell below its lower threshold (the `on_estimated_drop` policy). */
export function estimatedDrop(p: WindowPerformance | Record<string, unknown>): boolean {
  if (p.status !== 'ok') return false;
  const auc = (p as { metrics: Record<string, Record<string, unknown>> }).metrics.roc_auc;
  if (!auc) return false;
  const { estimate, lower_threshold: lower } = auc as {
    estimate: number | null;
    lower_threshold: number | null;
  };
  return estimate !== null && lower !== null && estimate < lower;
}
