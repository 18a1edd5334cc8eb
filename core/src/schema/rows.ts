// A table's rows → feature records (and 0/1 labels) by a model's schema; bad rows reported by number and field.
import { isBlank, isNumberCell, type TextTable } from './infer';
import { type ModelSchema, SchemaError } from './model-schema';
import { buildFeaturesSchema, type FeatureRecord } from './validator';

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
  /** 1 for the positive class, aligned with `records`; null when the table has no target column. */
  readonly labels: Uint8Array | null;
  readonly ids: string[] | null;
  readonly issues: RowIssue[];
}

export interface RowsOptions {
  /** Other spellings of the target's values (the Telco demo accepts 1/0 beside Yes/No). */
  readonly labelAliases?: Readonly<Record<string, 0 | 1>>;
  /** Leave the target column alone (scoring): `labels` is null. */
  readonly ignoreTarget?: boolean;
}

/** Column index of each feature: its `column` or its name. Missing columns are an error naming them. */
export function locateSchemaColumns(
  header: readonly string[],
  schema: Pick<ModelSchema, 'features'>,
  source = 'input',
): number[] {
  const missing: string[] = [];
  const indices = schema.features.map((f) => {
    let i = header.indexOf(f.name);
    if (i < 0 && f.column !== undefined) i = header.indexOf(f.column);
    if (i < 0) missing.push(f.name);
    return i;
  });
  if (missing.length > 0)
    throw new SchemaError(`${source}: missing feature column(s): ${missing.join(', ')}`);
  return indices;
}

function parseCell(raw: string | undefined, kind: 'categorical' | 'numerical'): string | number | null {
  if (isBlank(raw)) return null;
  const cell = raw!.trim();
  if (kind === 'categorical') return cell;
  return isNumberCell(cell) ? Number(cell) : cell;
}

/**
 * Converts a table's rows into feature records validated by the schema's request rules (an unseen category
 * of an open feature is accepted). Invalid rows are reported by row number and field, never silently
 * dropped. When the table has the target column, labels are 1 for `target.positive`, 0 for the other value.
 */
export function tableToRows(
  table: TextTable,
  schema: ModelSchema,
  source = 'input',
  options: RowsOptions = {},
): FeatureRows {
  const columns = locateSchemaColumns(table.header, schema, source);
  const validator = buildFeaturesSchema(schema);
  const { target } = schema;
  const labelColumn = options.ignoreTarget ? -1 : table.header.indexOf(target.column);
  const idColumn = schema.id_column === undefined ? -1 : table.header.indexOf(schema.id_column);
  const labelOf = (raw: string): 0 | 1 | undefined =>
    raw === target.positive ? 1 : raw === target.negative ? 0 : options.labelAliases?.[raw];
  const records: FeatureRecord[] = [];
  const rowNumbers: number[] = [];
  const labels: number[] = [];
  const ids: string[] = [];
  const issues: RowIssue[] = [];
  table.rows.forEach((row, i) => {
    const record: FeatureRecord = {};
    schema.features.forEach((f, j) => {
      record[f.name] = parseCell(row[columns[j]!], f.kind);
    });
    let label: 0 | 1 = 0;
    if (labelColumn >= 0) {
      const raw = row[labelColumn]?.trim() ?? '';
      const l = labelOf(raw);
      if (l === undefined) {
        const expected = [target.positive, target.negative].filter((v) => v !== undefined).join(' or ');
        issues.push({
          row: i + 1,
          field: target.column,
          message: raw === '' ? 'missing target value' : `expected ${expected}, got "${raw}"`,
        });
        return;
      }
      label = l;
    }
    const result = validator.safeParse(record);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const field = issue.path.map(String).join('.') || '(row)';
        issues.push({ row: i + 1, field, message: record[field] === null ? 'missing value' : issue.message });
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
