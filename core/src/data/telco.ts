// The IBM Telco churn data set: where it comes from, and turning CSV rows into validated feature records.
import { FEATURES, type FeatureRecord, ID_COLUMN, LABEL_COLUMN } from '../schema/features';
import { featuresSchema } from '../schema/request';
import { type CsvTable, isMissingCell } from './csv';

export const TELCO_URL =
  'https://raw.githubusercontent.com/IBM/telco-customer-churn-on-icp4d/master/data/Telco-Customer-Churn.csv';
export const TELCO_SHA256 = '16320c9c1ec72448db59aa0a26a0b95401046bef5d02fd3aeb906448e3055e91';
export const TELCO_BYTES = 970_457;

/** A row that failed validation: 1-based data row number (the header is row 0), the field and why. */
export interface RowIssue {
  readonly row: number;
  readonly field: string;
  readonly message: string;
}

export interface FeatureRows {
  /** Valid rows only, in input order; `rowNumbers[i]` is the 1-based data row of `records[i]`. */
  readonly records: FeatureRecord[];
  readonly rowNumbers: number[];
  /** Churn labels (1 = churned) where the CSV has a `Churn` column, aligned with `records`. */
  readonly labels: Uint8Array | null;
  readonly ids: string[] | null;
  readonly issues: RowIssue[];
}

/** Column index of each feature: its snake_case name or its Telco CSV name. Missing columns are an error. */
export function locateFeatureColumns(header: readonly string[], source = 'input'): number[] {
  const missing: string[] = [];
  const indices = FEATURES.map((f) => {
    const i = header.findIndex((h) => h === f.name || h === f.csvColumn);
    if (i < 0) missing.push(f.name);
    return i;
  });
  if (missing.length > 0) throw new Error(`${source}: missing feature column(s): ${missing.join(', ')}`);
  return indices;
}

function parseCell(raw: string | undefined, kind: 'categorical' | 'numerical'): string | number | null {
  if (isMissingCell(raw)) return null;
  const cell = raw!.trim();
  if (kind === 'categorical') return cell;
  const n = Number(cell);
  return Number.isFinite(n) ? n : cell;
}

/**
 * Converts CSV rows into feature records validated by the shared request schema. Invalid rows are
 * reported by row number and field, never silently dropped. A `Churn` column, if present, gives labels.
 */
export function toFeatureRows(table: CsvTable, source = 'input'): FeatureRows {
  const columns = locateFeatureColumns(table.header, source);
  const labelColumn = table.header.indexOf(LABEL_COLUMN);
  const idColumn = table.header.indexOf(ID_COLUMN);
  const records: FeatureRecord[] = [];
  const rowNumbers: number[] = [];
  const labels: number[] = [];
  const ids: string[] = [];
  const issues: RowIssue[] = [];
  table.rows.forEach((row, i) => {
    const record: FeatureRecord = {};
    FEATURES.forEach((f, j) => {
      record[f.name] = parseCell(row[columns[j]!], f.kind);
    });
    const result = featuresSchema.safeParse(record);
    let label = 0;
    if (labelColumn >= 0) {
      const raw = row[labelColumn]?.trim();
      if (raw === 'Yes' || raw === '1') label = 1;
      else if (!(raw === 'No' || raw === '0')) {
        issues.push({ row: i + 1, field: LABEL_COLUMN, message: `expected Yes or No, got "${raw ?? ''}"` });
        return;
      }
    }
    if (!result.success) {
      for (const issue of result.error.issues) {
        const field = issue.path.map(String).join('.') || '(row)';
        const got = record[field];
        const detail = got === null ? 'missing value' : issue.message;
        issues.push({ row: i + 1, field, message: detail });
      }
      return;
    }
    records.push(record);
    rowNumbers.push(i + 1);
    labels.push(label);
    if (idColumn >= 0) ids.push(row[idColumn] ?? '');
  });
  return {
    records,
    rowNumbers,
    labels: labelColumn >= 0 ? Uint8Array.from(labels) : null,
    ids: idColumn >= 0 ? ids : null,
    issues,
  };
}
