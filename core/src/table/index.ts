// @pmm/core/table: reading CSV bytes straight into typed columns (streaming, no per-row objects).
export * from './parse-number-bytes';
export * from './read-csv-columns';
export * from './read-csv-table';
