// Which models the centre can retrain: those pmm trained (it knows their recipe and has their training data).
// A model imported from ONNX (`pmm import`) is monitored like any other, but its training happens elsewhere.

/** What a retrain request or policy is told for a model pmm did not train. */
export const IMPORTED_RETRAIN_MESSAGE =
  'retraining needs your own pipeline; register new versions with `pmm models register`';

export type RetrainScope =
  | { readonly retrainable: true }
  | { readonly retrainable: false; readonly reason: string };

/** Whether the centre may retrain the model of this model.json (pmm's own training, or an older card). */
export function retrainScope(card: Record<string, unknown> | null | undefined): RetrainScope {
  const origin = card?.origin as { kind?: unknown } | undefined;
  if (origin?.kind === 'imported') {
    const version = typeof card?.version === 'string' ? card.version : 'this model';
    return { retrainable: false, reason: `${version} was imported from ONNX: ${IMPORTED_RETRAIN_MESSAGE}` };
  }
  return { retrainable: true };
}

/** The labelled training CSV of model `name`: its `PMM_TRAINING_DATA_BY_NAME` entry, else `PMM_TRAINING_DATA`. */
export function trainingDataFor(
  name: string,
  options: { readonly trainingData: string; readonly trainingDataByName?: Readonly<Record<string, string>> },
): string {
  return options.trainingDataByName?.[name] ?? options.trainingData;
}
