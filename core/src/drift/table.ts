// Column-wise tables for the drift report: typed arrays built from CSV rows, feature records or a reference profile.
import { type CsvTable, isMissingCell, parseCsv } from '../data/csv';
import type { ReferenceProfile } from './profile';
import type { ColumnType } from './types';

/** A numerical column: one value per row, `NaN` where the cell is missing. */
export interface NumericalColumn {
  readonly type: 'numerical';
  readonly values: Float64Array;
}

/** Category codes, `-1` for missing: the narrowest signed array that holds the dictionary (a file reader's choice). */
export type CategoryCodes = Int32Array | Int16Array | Int8Array;

/** The narrowest signed array type for codes into a dictionary of `size` categories (plus -1). */
export function codesArrayFor(
  size: number,
): Int8ArrayConstructor | Int16ArrayConstructor | Int32ArrayConstructor {
  return size <= 0x7f ? Int8Array : size <= 0x7fff ? Int16Array : Int32Array;
}

/** A categorical column: one code per row into `categories`, `-1` where the cell is missing. */
export interface CategoricalColumn {
  readonly type: 'categorical';
  readonly codes: CategoryCodes;
  readonly categories: readonly string[];
}

export type DriftColumn = NumericalColumn | CategoricalColumn;

/** A column left out of the comparison, and why (e.g. an id: every value distinct). */
export interface ExcludedColumn {
  readonly column: string;
  readonly reason: string;
}

/** One side of a drift comparison, held column-wise. `name` names the source in error messages. */
export interface DriftTable {
  readonly name: string;
  readonly rows: number;
  /** Columns in source order. */
  readonly columns: ReadonlyMap<string, DriftColumn>;
  /** Columns of the source left out, with the reason (the report lists them). */
  readonly excluded?: readonly ExcludedColumn[];
}

/** A cell before typing: CSV text, a record's value, or absent. */
export type RawCell = string | number | null | undefined;

/** A table of untyped cells, column-wise. Build one with `rawTableFromCsv` or `rawTableFromRecords`. */
export interface RawTable {
  readonly name: string;
  readonly rows: number;
  readonly columns: ReadonlyMap<string, readonly RawCell[]>;
}

/** Which columns to compare, and forced types. Types not given are inferred from both tables. */
export interface TableOptions {
  /** Compare only these columns (each must exist in both tables). Default: every column. */
  readonly columns?: readonly string[];
  /** Leave these columns out. */
  readonly ignore?: readonly string[];
  /** Forced column types (`--categorical`, `--numerical`, or a schema). */
  readonly types?: Readonly<Record<string, ColumnType>>;
}

/** Bad input to the drift report: names the file and/or column at fault. */
export class DriftDataError extends Error {
  readonly column: string | undefined;
  constructor(message: string, column?: string) {
    super(message);
    this.name = 'DriftDataError';
    this.column = column;
  }
}

const NUMBER_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a non-missing cell holds, or `undefined` when it is text (or not finite). */
function cellNumber(cell: string | number): number | undefined {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
  const text = cell.trim();
  if (!NUMBER_PATTERN.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function isMissing(cell: RawCell): cell is null | undefined | string {
  if (cell === null || cell === undefined) return true;
  if (typeof cell === 'number') return Number.isNaN(cell);
  return isMissingCell(cell);
}

function cellText(cell: string | number): string {
  return typeof cell === 'number' ? String(cell) : cell.trim();
}

/** A parsed CSV as a raw table (no copying of cell text). Duplicate header names are an error. */
export function rawTableFromCsv(csv: CsvTable, name: string): RawTable {
  const columns = new Map<string, RawCell[]>();
  csv.header.forEach((column, j) => {
    if (columns.has(column)) throw new DriftDataError(`${name}: duplicate column "${column}"`, column);
    columns.set(
      column,
      csv.rows.map((row) => row[j]),
    );
  });
  return { name, rows: csv.rows.length, columns };
}

/**
 * Feature records as a raw table. Columns are `columns` if given, else every key in order of first
 * appearance; a key absent from a record is a missing cell.
 */
export function rawTableFromRecords(
  records: readonly Readonly<Record<string, string | number | null>>[],
  name: string,
  columns?: readonly string[],
): RawTable {
  let names = columns;
  if (!names) {
    const seen = new Set<string>();
    for (const record of records) for (const key of Object.keys(record)) seen.add(key);
    names = [...seen];
  }
  const out = new Map<string, RawCell[]>();
  for (const column of names) {
    out.set(
      column,
      records.map((r) => (Object.hasOwn(r, column) ? r[column] : undefined)),
    );
  }
  return { name, rows: records.length, columns: out };
}

/** The columns to compare: the selection checked against both tables, in reference order. */
export function selectColumns(
  reference: {
    readonly name: string;
    readonly columns: { has(c: string): boolean; keys(): Iterable<string> };
  },
  current: { readonly name: string; readonly columns: { has(c: string): boolean; keys(): Iterable<string> } },
  options: TableOptions,
): string[] {
  const ignore = new Set(options.ignore ?? []);
  for (const column of ignore) {
    if (!reference.columns.has(column) && !current.columns.has(column)) {
      throw new DriftDataError(
        `column "${column}" to ignore is in neither ${reference.name} nor ${current.name}`,
        column,
      );
    }
  }
  const absent = (column: string): void => {
    if (!reference.columns.has(column) && !current.columns.has(column)) {
      throw new DriftDataError(
        `column "${column}" is in neither ${reference.name} nor ${current.name}`,
        column,
      );
    }
    if (!reference.columns.has(column)) {
      throw new DriftDataError(
        `column "${column}" is in ${current.name} but not in ${reference.name}`,
        column,
      );
    }
    if (!current.columns.has(column)) {
      throw new DriftDataError(
        `column "${column}" is in ${reference.name} but not in ${current.name}`,
        column,
      );
    }
  };
  let names: string[];
  if (options.columns) {
    names = [];
    for (const column of options.columns) {
      absent(column);
      if (!ignore.has(column) && !names.includes(column)) names.push(column);
    }
  } else {
    names = [...reference.columns.keys()].filter((c) => !ignore.has(c));
    for (const column of current.columns.keys()) if (!ignore.has(column)) absent(column);
    for (const column of names) absent(column);
  }
  for (const column of Object.keys(options.types ?? {})) {
    absent(column);
  }
  if (names.length === 0) throw new DriftDataError('no columns left to compare');
  return names;
}

/** Numerical when every non-missing value on both sides is a finite number, else categorical. */
export function inferColumnType(...sides: readonly (readonly RawCell[])[]): ColumnType {
  for (const cells of sides) {
    for (const cell of cells) {
      if (isMissing(cell)) continue;
      if (cellNumber(cell) === undefined) return 'categorical';
    }
  }
  return 'numerical';
}

/** The first non-missing cell that is not a number, or undefined when every present cell is one. */
function firstText(cells: readonly RawCell[]): { row: number; text: string } | undefined {
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (!isMissing(cell) && cellNumber(cell) === undefined) return { row: i + 1, text: cellText(cell) };
  }
  return undefined;
}

function hasValue(cells: readonly RawCell[]): boolean {
  return cells.some((cell) => !isMissing(cell));
}

/**
 * A column whose values are all numbers on one side but text on the other is almost always a broken feed,
 * not a categorical column: refuse it, naming both files, unless its type was given.
 */
function checkSameKind(column: string, reference: RawTable, current: RawTable): void {
  const ref = reference.columns.get(column)!;
  const cur = current.columns.get(column)!;
  const refText = firstText(ref);
  const curText = firstText(cur);
  const mismatch =
    refText === undefined && hasValue(ref) && curText !== undefined
      ? { numbers: reference.name, text: current.name, at: curText }
      : curText === undefined && hasValue(cur) && refText !== undefined
        ? { numbers: current.name, text: reference.name, at: refText }
        : null;
  if (mismatch) {
    throw new DriftDataError(
      `column "${column}" is numbers in ${mismatch.numbers} but text in ${mismatch.text} (row ${mismatch.at.row}: "${mismatch.at.text}"); pass --categorical ${column} to compare it as text`,
      column,
    );
  }
}

function encodeNumerical(cells: readonly RawCell[], source: string, column: string): Float64Array {
  const values = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (isMissing(cell)) {
      values[i] = Number.NaN;
      continue;
    }
    const n = cellNumber(cell);
    if (n === undefined) {
      throw new DriftDataError(
        `${source}: column "${column}" is numerical but row ${i + 1} holds "${cellText(cell)}", not a number`,
        column,
      );
    }
    values[i] = n;
  }
  return values;
}

/** Sorted, deduplicated category text of one or more cell arrays plus any extra categories. */
function dictionary(sides: readonly (readonly RawCell[])[], extra: readonly string[] = []): string[] {
  const seen = new Set<string>(extra);
  for (const cells of sides) {
    for (const cell of cells) if (!isMissing(cell)) seen.add(cellText(cell));
  }
  return [...seen].sort(compareText);
}

/** Code-unit order: deterministic and locale-free. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeCategorical(cells: readonly RawCell[], index: ReadonlyMap<string, number>): Int32Array {
  const codes = new Int32Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    codes[i] = isMissing(cell) ? -1 : index.get(cellText(cell))!;
  }
  return codes;
}

function indexOf(categories: readonly string[]): Map<string, number> {
  return new Map(categories.map((c, i) => [c, i]));
}

/**
 * Types and encodes the selected columns of two raw tables. Categorical columns on both sides share one
 * sorted dictionary. Errors name the file and column: a column absent on one side, a column of numbers on
 * one side and text on the other (unless its type is given), a forced-numerical column holding text, a table
 * without rows.
 */
export function buildDriftTables(
  reference: RawTable,
  current: RawTable,
  options: TableOptions = {},
): { reference: DriftTable; current: DriftTable } {
  for (const table of [reference, current]) {
    if (table.rows === 0) throw new DriftDataError(`${table.name}: no data rows`);
  }
  const names = selectColumns(reference, current, options);
  const refColumns = new Map<string, DriftColumn>();
  const curColumns = new Map<string, DriftColumn>();
  for (const column of names) {
    const ref = reference.columns.get(column)!;
    const cur = current.columns.get(column)!;
    const forced = options.types?.[column];
    if (!forced) checkSameKind(column, reference, current);
    const type = forced ?? inferColumnType(ref, cur);
    if (type === 'numerical') {
      refColumns.set(column, { type, values: encodeNumerical(ref, reference.name, column) });
      curColumns.set(column, { type, values: encodeNumerical(cur, current.name, column) });
    } else {
      const categories = dictionary([ref, cur]);
      const index = indexOf(categories);
      refColumns.set(column, { type, codes: encodeCategorical(ref, index), categories });
      curColumns.set(column, { type, codes: encodeCategorical(cur, index), categories });
    }
  }
  return {
    reference: { name: reference.name, rows: reference.rows, columns: refColumns },
    current: { name: current.name, rows: current.rows, columns: curColumns },
  };
}

/** Two parsed CSV files as drift tables (see `buildDriftTables`). */
export function driftTablesFromCsv(
  reference: CsvTable,
  current: CsvTable,
  names: { reference: string; current: string },
  options: TableOptions = {},
): { reference: DriftTable; current: DriftTable } {
  return buildDriftTables(
    rawTableFromCsv(reference, names.reference),
    rawTableFromCsv(current, names.current),
    options,
  );
}

/** Two CSV texts (header row first) as drift tables; `names` name the sources in error messages. */
export function driftTablesFromCsvText(
  reference: string,
  current: string,
  names: { reference: string; current: string },
  options: TableOptions = {},
): { reference: DriftTable; current: DriftTable } {
  return driftTablesFromCsv(
    parseCsv(reference, names.reference),
    parseCsv(current, names.current),
    names,
    options,
  );
}

/** Two arrays of feature records as drift tables (see `buildDriftTables`). */
export function driftTablesFromRecords(
  reference: readonly Readonly<Record<string, string | number | null>>[],
  current: readonly Readonly<Record<string, string | number | null>>[],
  options: TableOptions & { names?: { reference: string; current: string } } = {},
): { reference: DriftTable; current: DriftTable } {
  const names = options.names ?? { reference: 'reference', current: 'current' };
  return buildDriftTables(
    rawTableFromRecords(reference, names.reference),
    rawTableFromRecords(current, names.current),
    options,
  );
}

/**
 * A model's reference profile as the reference table (numerical values as stored; categorical counts
 * expanded to codes; missing cells appended), and logged feature records as the current table typed by
 * the profile. Categorical columns share a dictionary: the profile's categories plus unseen logged values.
 * Only the profile's columns are compared (or `options.columns`); a profile column absent from every
 * record is an error.
 */
export function driftTablesFromProfile(
  profile: ReferenceProfile,
  current: readonly Readonly<Record<string, string | number | null>>[],
  options: {
    columns?: readonly string[];
    ignore?: readonly string[];
    names?: { reference: string; current: string };
  } = {},
): { reference: DriftTable; current: DriftTable } {
  const names = options.names ?? { reference: 'reference profile', current: 'current' };
  if (current.length === 0) throw new DriftDataError(`${names.current}: no data rows`);
  const ignore = new Set(options.ignore ?? []);
  const selected = (options.columns ?? Object.keys(profile.columns)).filter((c) => !ignore.has(c));
  const raw = rawTableFromRecords(current, names.current, selected);
  const refColumns = new Map<string, DriftColumn>();
  const curColumns = new Map<string, DriftColumn>();
  for (const column of selected) {
    const spec = Object.hasOwn(profile.columns, column) ? profile.columns[column] : undefined;
    if (!spec) throw new DriftDataError(`column "${column}" is not in ${names.reference}`, column);
    const cells = raw.columns.get(column)!;
    if (!current.some((r) => Object.hasOwn(r, column))) {
      throw new DriftDataError(
        `column "${column}" is in ${names.reference} but not in ${names.current}`,
        column,
      );
    }
    if (spec.type === 'numerical') {
      const n = spec.values.length;
      const values = new Float64Array(n + spec.missing).fill(Number.NaN);
      for (let i = 0; i < n; i++) values[i] = spec.values[i]!;
      refColumns.set(column, { type: 'numerical', values });
      curColumns.set(column, { type: 'numerical', values: encodeNumerical(cells, names.current, column) });
    } else {
      const profiled = Object.keys(spec.counts);
      const categories = dictionary([cells], profiled);
      const index = indexOf(categories);
      let total = spec.missing;
      for (const key of profiled) total += spec.counts[key]!;
      const codes = new Int32Array(total).fill(-1);
      let at = 0;
      for (const key of profiled) {
        const code = index.get(key)!;
        const count = spec.counts[key]!;
        codes.fill(code, at, at + count);
        at += count;
      }
      refColumns.set(column, { type: 'categorical', codes, categories });
      curColumns.set(column, { type: 'categorical', codes: encodeCategorical(cells, index), categories });
    }
  }
  return {
    reference: { name: names.reference, rows: profile.rows, columns: refColumns },
    current: { name: names.current, rows: current.length, columns: curColumns },
  };
}
