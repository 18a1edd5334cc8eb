// @pmm/core/data: CSV parsing, the Telco demo data set (identity, schema, rows), and row validation.
export * from './csv';
export * from './sha256';
export * from './telco';
export * from './telco-request';
export * from './telco-schema';
