// @pmm/core/multivariate: NannyML 0.13's multivariate drift by data reconstruction with PCA.

export {
  type ColumnKind,
  encodeColumn,
  type FitOptions,
  type FittedColumn,
  fitReconstruction,
  type MultivariateColumn,
  MultivariateInputError,
  type MultivariateTable,
  mostFrequent,
  type ReconstructionModel,
  standardScale,
} from './fit-reconstruction';
export {
  type FeatureKind,
  multivariateField,
  parseReconstructionModel,
  reconstructionModelSchema,
  tableFromRecords,
} from './model-field';
export {
  analysisDrift,
  chunkStatistics,
  isAlert,
  type ReconstructionChunk,
  type ReconstructionDrift,
  reconstructionErrors,
  reconstructionThresholds,
  referenceDrift,
  referenceDriftFromErrors,
  SAMPLING_ERROR_RANGE,
} from './reconstruction-drift';
export {
  ALERT_MEANING,
  type MultivariateRenderContext,
  type MultivariateReport,
  multivariateJson,
  multivariateReport,
  reconstructionSvg,
  renderMultivariateHtml,
  renderMultivariateText,
} from './render';
export { compileRowError, type RowErrorFunction } from './row-error';
export { type SymmetricEigen, symmetricEigen } from './symmetric-eigen';
