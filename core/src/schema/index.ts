// @pmm/core/schema: the feature schema as data (from model.json), inference from a table, request validation.

// Compatibility: the Telco demo's constants, for code that still reads them (to move to a model's schema).
export * from '../data/telco-request';
export * from '../data/telco-schema';
export * from './infer';
export * from './model-schema';
export * from './rows';
export * from './validator';
