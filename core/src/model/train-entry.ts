// @pmm/core/train: training with tfjs and the full artifact pipeline (kept apart so the edge never bundles tfjs).
export * from './pipeline';
export * from './train';
