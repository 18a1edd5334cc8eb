// @pmm/core/schema: the feature schema and the shared request validation.
export * from './features';
export * from './request';
