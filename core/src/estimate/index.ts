// @pmm/core/estimate: NannyML 0.13's confidence-based performance estimation (CBPE) for binary classifiers.

export { type ConfusionCounts, METRICS, type MetricName } from './binary-metrics';
export {
  binIndexEdges,
  type CalibrationDecision,
  expectedCalibrationError,
  needsCalibration,
} from './calibration';
export {
  type CbpeData,
  type CbpeFit,
  CbpeInputError,
  type CbpeOptions,
  type Chunker,
  type ChunkResult,
  estimateCbpe,
  fitCbpe,
  holdoutCbpeData,
  type MetricResult,
  SAMPLING_ERROR_RANGE,
} from './cbpe';
export { fitIsotonic, type IsotonicFit, predictIsotonic } from './isotonic';
export { numpyArgsort } from './numpy-argsort';
export {
  type EstimateRenderContext,
  type EstimateReport,
  estimateJson,
  estimateReport,
  metricSvg,
  renderEstimateHtml,
  renderEstimateText,
} from './render';
export { estimateRocAuc, rocAuc } from './roc-auc';
export {
  aurocComponents,
  type SamplingComponents,
  samplingError,
  thresholdComponents,
} from './sampling-error';
export { type Split, stratifiedShuffleSplit } from './stratified-shuffle-split';
export { standardDeviationThresholds } from './thresholds';
