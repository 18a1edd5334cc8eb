// Inferring a model's schema from a labelled table: column kinds, unusable columns (reported), the binary target.
import { type ModelSchema, parseModelSchema, SchemaError, type SchemaFeature } from './model-schema';

/** A table as text: a header and rows of cells (what the CSV reader gives). */
export interface TextTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface InferOptions {
  /** The outcome column. */
  readonly target: string;
  /** The target value that is the positive class; inferred for 1/0, yes/no, true/false, y/n. */
  readonly positive?: string;
  /** A row identifier: never a feature. */
  readonly idColumn?: string;
  /** Columns to leave out. */
  readonly drop?: readonly string[];
  /** Columns to treat as categorical / numerical whatever their values. */
  readonly categorical?: readonly string[];
  readonly numerical?: readonly string[];
}

/** A column left out of the model, and why. */
export interface ExcludedColumn {
  readonly column: string;
  readonly reason: string;
}

export interface InferredSchema {
  readonly schema: ModelSchema;
  readonly excluded: readonly ExcludedColumn[];
  /** Rows whose target cell is blank (they cannot be learnt from). */
  readonly blankTargets: number;
}

/** A blank or whitespace-only cell is a missing value. */
export const isBlank = (cell: string | undefined): boolean => cell === undefined || cell.trim() === '';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Whether a (trimmed) cell is a decimal number: "12", "-0.5", "1e3"; not "0x10", "Infinity" or "". */
export const isNumberCell = (cell: string): boolean => NUMBER.test(cell);

const POSITIVE_NAMES = ['1', 'yes', 'true', 'y', 't', 'positive', 'pos'];

const quote = (s: string) => JSON.stringify(s);

function list(values: readonly string[], limit = 8): string {
  const shown = values.slice(0, limit).map(quote).join(', ');
  return values.length > limit ? `${shown}, ... (${values.length} in all)` : shown;
}

function columnIndex(header: readonly string[], name: string, what: string): number {
  const i = header.indexOf(name);
  if (i < 0) throw new SchemaError(`no ${what} column ${quote(name)} (columns: ${list(header)})`);
  return i;
}

function inferPositive(values: readonly string[], target: string, positive?: string): string {
  if (positive !== undefined) {
    if (!values.includes(positive))
      throw new SchemaError(
        `--positive ${quote(positive)} is not a value of ${quote(target)} (values: ${list(values)})`,
      );
    return positive;
  }
  for (const name of POSITIVE_NAMES) {
    const hit = values.find((v) => v.toLowerCase() === name);
    if (hit !== undefined) return hit;
  }
  throw new SchemaError(
    `say which value of ${quote(target)} is the positive class with --positive (values: ${list(values)})`,
  );
}

/**
 * The two values of a binary target column and which is positive (`positive`, or inferred for 1/yes/true);
 * `values` sorted. Errors name the column: missing, not exactly two values, positive not one of them.
 */
export function binaryTarget(
  table: TextTable,
  column: string,
  positive?: string,
): { positive: string; negative: string; values: string[]; blankTargets: number } {
  if (table.rows.length === 0) throw new SchemaError('the table has no data rows');
  const target = columnIndex(table.header, column, 'target');
  const counts = new Map<string, number>();
  let blankTargets = 0;
  for (const row of table.rows) {
    const cell = row[target];
    if (isBlank(cell)) blankTargets++;
    else counts.set(cell!.trim(), (counts.get(cell!.trim()) ?? 0) + 1);
  }
  const values = [...counts.keys()].sort();
  if (values.length !== 2)
    throw new SchemaError(
      `target ${quote(column)} has ${values.length} distinct value(s)${values.length ? ` (${list(values)})` : ''}; a binary classifier needs exactly two`,
    );
  const chosen = inferPositive(values, column, positive);
  return { positive: chosen, negative: values.find((v) => v !== chosen)!, values, blankTargets };
}

/**
 * Infers the schema of a labelled table. A column is numerical when every non-blank value is a number
 * (flags override); a column that cannot be used (all blank, constant, an id with a distinct text value
 * per row) is left out and reported in `excluded`. Names are kept exactly as written. The target must
 * have exactly two values. Errors (`SchemaError`) are one line naming the problem.
 * Example: `inferSchema({ header: ['age', 'y'], rows: [['1', 'a'], ['2', 'b']] }, { target: 'y', positive: 'b' })`.
 */
export function inferSchema(table: TextTable, options: InferOptions): InferredSchema {
  const { header, rows } = table;
  if (rows.length === 0) throw new SchemaError('the table has no data rows');
  const dupes = header.filter((h, i) => header.indexOf(h) !== i);
  if (dupes.length > 0) throw new SchemaError(`column ${quote(dupes[0]!)} appears twice in the header`);
  const target = columnIndex(header, options.target, 'target');
  const named = (flag: string, columns: readonly string[] | undefined) =>
    new Set(
      (columns ?? []).map((c) => {
        columnIndex(header, c, flag);
        return c;
      }),
    );
  const drop = named('--drop', options.drop);
  const forcedCategorical = named('--categorical', options.categorical);
  const forcedNumerical = named('--numerical', options.numerical);
  if (options.idColumn !== undefined) columnIndex(header, options.idColumn, 'id');
  for (const c of forcedCategorical)
    if (forcedNumerical.has(c))
      throw new SchemaError(`column ${quote(c)} is both --categorical and --numerical`);

  const { positive, negative, blankTargets } = binaryTarget(table, options.target, options.positive);

  const features: SchemaFeature[] = [];
  const excluded: ExcludedColumn[] = [];
  header.forEach((column, j) => {
    if (j === target) return;
    if (column === options.idColumn) {
      excluded.push({ column, reason: 'id column (--id-column)' });
      return;
    }
    if (drop.has(column)) {
      excluded.push({ column, reason: 'dropped (--drop)' });
      return;
    }
    const counts = new Map<string, number>();
    let blanks = 0;
    let numeric = true;
    let integers = true;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const row of rows) {
      const raw = row[j];
      if (isBlank(raw)) {
        blanks++;
        continue;
      }
      const cell = raw!.trim();
      counts.set(cell, (counts.get(cell) ?? 0) + 1);
      if (numeric && isNumberCell(cell)) {
        const x = Number(cell);
        if (x < min) min = x;
        if (x > max) max = x;
        if (!Number.isInteger(x)) integers = false;
      } else numeric = false;
    }
    if (blanks === rows.length) {
      excluded.push({ column, reason: 'all blank' });
      return;
    }
    if (counts.size === 1) {
      excluded.push({ column, reason: `constant (every value is ${quote([...counts.keys()][0]!)})` });
      return;
    }
    if (forcedNumerical.has(column) && !numeric) {
      const bad = [...counts.keys()].find((v) => !isNumberCell(v))!;
      throw new SchemaError(`--numerical column ${quote(column)} holds ${quote(bad)}, which is not a number`);
    }
    const categorical = forcedCategorical.has(column) || !numeric;
    const distinctPerRow = counts.size === rows.length - blanks && rows.length > 2;
    const forced = forcedCategorical.has(column) || forcedNumerical.has(column);
    // Text with a distinct value per row, or distinct whole numbers per row (1, 2, 3, ...): an identifier.
    if (distinctPerRow && !forced && (categorical || integers)) {
      excluded.push({ column, reason: 'an id (a distinct value in every row)' });
      return;
    }
    const allowed = blanks > 0;
    if (categorical)
      features.push({
        name: column,
        kind: 'categorical',
        categories: [...counts.keys()].sort(),
        closed: false,
        missing: { allowed, treatment: 'unknown_category' },
      });
    else
      features.push({
        name: column,
        kind: 'numerical',
        range: { min, max },
        integer: false,
        missing: { allowed, treatment: 'impute', value: null },
      });
  });
  if (features.length === 0)
    throw new SchemaError(
      `no usable feature column${excluded.length ? ` (${excluded.map((e) => `${e.column}: ${e.reason}`).join('; ')})` : ''}`,
    );
  const schema = parseModelSchema({
    task: 'binary_classification',
    target: { column: options.target, positive, negative },
    features,
    ...(options.idColumn !== undefined && { id_column: options.idColumn }),
  });
  return { schema, excluded, blankTargets };
}
