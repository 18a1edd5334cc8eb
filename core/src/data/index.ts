// @pmm/core/data: CSV parsing, the Telco data set's identity, and row validation.
export * from './csv';
export * from './sha256';
export * from './telco';
