// @pmm/core/drift: column-wise drift tables, the drift report, its methods, and text/HTML renderers.

export * from './csv-tables';
export * from './methods/index';
export type { ColumnProfile, ReferenceProfile } from './profile';
export * from './render-html';
export * from './render-text';
export * from './report';
export * from './report-options';
export * from './table';
export type * from './types';
