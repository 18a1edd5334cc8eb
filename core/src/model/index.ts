// @pmm/core/model: the artifact (model.json + model.onnx), metrics, preprocessing and the Predictor contract.
// Light enough for the edge: training (tfjs) lives behind @pmm/core/train.
export * from './artifact';
export * from './artifact-types';
export * from './card-schema';
export * from './metrics';
export * from './predictor';
export * from './preprocess';
export * from './rng';
export * from './spec';
export * from './split';
