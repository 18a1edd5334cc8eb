// The IBM Telco churn data set (the built-in demo): where it comes from, and its CSV rows as feature records.
import { type FeatureRows, locateSchemaColumns, type RowIssue, tableToRows } from '../schema/rows';
import type { CsvTable } from './csv';
import { TELCO_SCHEMA } from './telco-schema';

export type { FeatureRows, RowIssue };

export const TELCO_URL =
  'https://raw.githubusercontent.com/IBM/telco-customer-churn-on-icp4d/master/data/Telco-Customer-Churn.csv';
export const TELCO_SHA256 = '16320c9c1ec72448db59aa0a26a0b95401046bef5d02fd3aeb906448e3055e91';
export const TELCO_BYTES = 970_457;

/** Column index of each feature: its snake_case name or its Telco CSV name. Missing columns are an error. */
export function locateFeatureColumns(header: readonly string[], source = 'input'): number[] {
  return locateSchemaColumns(header, TELCO_SCHEMA, source);
}

/** Whether a header holds the demo's 19 feature columns (Telco or snake_case names). */
export function isTelcoHeader(header: readonly string[]): boolean {
  return TELCO_SCHEMA.features.every(
    (f) => header.includes(f.name) || (f.column !== undefined && header.includes(f.column)),
  );
}

/**
 * Converts CSV rows into feature records validated by the demo's request schema. Invalid rows are
 * reported by row number and field, never silently dropped. A `Churn` column (Yes/No or 1/0) gives labels.
 */
export function toFeatureRows(table: CsvTable, source = 'input'): FeatureRows {
  return tableToRows(table, TELCO_SCHEMA, source, { labelAliases: { '1': 1, '0': 0 } });
}
