// The inference contract every engine fills: ONNX Runtime (WASM) or pmm's own lite evaluator.
import type { FeatureRecord } from '../schema/validator';
import type { FeatureColumns } from './onnx/feeds';

export type EngineName = 'ort' | 'lite';

/** A loaded model: P(positive) for each record (or row of columns), in order. Created once and reused. */
export interface Predictor {
  readonly engine: EngineName;
  predict(records: readonly FeatureRecord[] | FeatureColumns): Promise<Float32Array>;
}

/** Creates a predictor from the bytes of a `model.onnx`. */
export type PredictorFactory = (onnx: Uint8Array) => Promise<Predictor>;
