// @pmm/core/onnx: export a ModelSpec to model.onnx, read it back, and run it with ORT or the lite engine.

export { ImportError, type ImportedArtifact, type ImportInput, importOnnx } from '../import/import-onnx';
export { ModelSpecError, OnnxModelError, UnsupportedOperatorError } from './errors';
export {
  EXPORT_IR_VERSION,
  EXPORT_OPSETS,
  type ExportMeta,
  exportOnnx,
  PROBABILITY_OUTPUT,
  VERSION_METADATA_KEY,
} from './export-onnx';
export {
  buildFeeds,
  type FeatureColumns,
  type FeedColumn,
  type FeedInput,
  type FeedKind,
  feedKind,
  probabilitiesFrom,
  rowsOf,
} from './feeds';
export {
  compileLitePlan,
  createLitePredictor,
  LITE_OPERATORS,
  type LitePlan,
  type LitePlanOptions,
  mlasLogistic,
} from './lite-engine';
export { createOrtPredictor, type OrtModule, type OrtSessionOptions } from './ort-engine';
export {
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
  readOnnx,
} from './read-onnx';
