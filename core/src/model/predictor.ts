// The inference contract every engine fills: ONNX Runtime (WASM) or pmm's own lite evaluator.
import type { FeatureRecord } from '../schema/validator';

export type EngineName = 'ort' | 'lite';

/** A loaded model: P(churn) for each record, in order. Created once and reused. */
export interface Predictor {
  readonly engine: EngineName;
  predict(records: readonly FeatureRecord[]): Promise<Float32Array>;
}

/** Creates a predictor from the bytes of a `model.onnx`. */
export type PredictorFactory = (onnx: Uint8Array) => Promise<Predictor>;
