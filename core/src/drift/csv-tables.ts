// Drift tables straight from CSV bytes: both files read into typed columns, id columns left out, types reconciled.
import {
  type CsvColumn,
  type CsvColumns,
  type CsvReadOptions,
  type CsvSource,
  readCsvColumns,
} from '../table/read-csv-columns';
import {
  type CategoryCodes,
  codesArrayFor,
  compareText,
  type DriftColumn,
  DriftDataError,
  type DriftTable,
  type ExcludedColumn,
  selectColumns,
  type TableOptions,
} from './table';

/** A text column with at least this many values per file, all distinct in each, is an id and left out. */
export const ID_MIN_VALUES = 1000;

export interface CsvTableOptions extends TableOptions {
  /** Columns that are ids: left out of the comparison and listed as excluded. */
  readonly idColumns?: readonly string[];
}

/** Reads one side (`reference` or `current`) with the given reader options. */
export type ReadCsvSide = (side: 'reference' | 'current', options: CsvReadOptions) => Promise<CsvColumns>;

function headerMap(table: CsvColumns): { name: string; columns: Map<string, true> } {
  return { name: table.name, columns: new Map(table.header.map((c) => [c, true] as const)) };
}

function idLike(column: CsvColumn | undefined): boolean {
  if (!column) return false;
  if (column.type === 'id') return true;
  return column.type === 'categorical' && column.distinct && column.present >= ID_MIN_VALUES;
}

/** Whether a column is numbers on one side and text on the other: the error, else null. */
function kindMismatch(
  column: string,
  ref: CsvColumn,
  cur: CsvColumn,
  names: { reference: string; current: string },
): DriftDataError | null {
  const numbers = (c: CsvColumn) => c.type === 'numerical' && c.present > 0;
  const text = (c: CsvColumn) => (c.type === 'numerical' ? null : c.firstText);
  const [num, txt, at] = numbers(ref)
    ? [names.reference, names.current, text(cur)]
    : numbers(cur)
      ? [names.current, names.reference, text(ref)]
      : [null, null, null];
  if (num === null || at === null) return null;
  return new DriftDataError(
    `column "${column}" is numbers in ${num} but text in ${txt} (row ${at.row}: "${at.text}"); pass --categorical ${column} to compare it as text`,
    column,
  );
}

/** Why a column is left out as an id, or null. */
function idReason(column: string, ref: CsvColumn, cur: CsvColumn, options: CsvTableOptions): string | null {
  if (options.types?.[column] !== undefined || options.columns?.includes(column)) return null;
  if (!idLike(ref) || !idLike(cur)) return null;
  return `every value is distinct (${ref.present} in the reference, ${cur.present} in the current): an id, not a feature`;
}

function categorical(
  column: CsvColumn,
  rows: number,
): { codes: CategoryCodes; categories: readonly string[] } {
  if (column.type === 'categorical') return column;
  if (column.type === 'numerical' && column.present === 0) {
    return { codes: new Int8Array(rows).fill(-1), categories: [] };
  }
  throw new Error(`internal: a ${column.type} column cannot be read as categories here`);
}

/**
 * Two CSV files read by `readCsvColumns` as drift tables, as `buildDriftTables` types raw tables: columns
 * selected and checked against both files, types forced or inferred (numbers in one file and text in the other
 * is an error naming both, unless the type is given), categorical columns re-coded onto one sorted
 * dictionary. Text columns whose values are all distinct in both files (at least `ID_MIN_VALUES` each) and
 * `idColumns` are left out and listed in `excluded`.
 */
export function driftTablesFromCsvColumns(
  reference: CsvColumns,
  current: CsvColumns,
  options: CsvTableOptions = {},
): { reference: DriftTable; current: DriftTable } {
  for (const table of [reference, current]) {
    if (table.rows === 0) throw new DriftDataError(`${table.name}: no data rows`);
  }
  const names = { reference: reference.name, current: current.name };
  const excluded: ExcludedColumn[] = [];
  const ids = new Set(options.idColumns ?? []);
  for (const column of ids) {
    if (!reference.header.includes(column) && !current.header.includes(column)) {
      throw new DriftDataError(
        `id column "${column}" is in neither ${reference.name} nor ${current.name}`,
        column,
      );
    }
    excluded.push({ column, reason: 'given as an id column' });
  }
  const selected = selectColumns(headerMap(reference), headerMap(current), {
    ...options,
    ignore: [...(options.ignore ?? []), ...ids],
  });
  const refColumns = new Map<string, DriftColumn>();
  const curColumns = new Map<string, DriftColumn>();
  for (const column of selected) {
    const ref = reference.columns.get(column)!;
    const cur = current.columns.get(column)!;
    const forced = options.types?.[column];
    if (!forced) {
      const mismatch = kindMismatch(column, ref, cur, names);
      if (mismatch) throw mismatch;
      const reason = idReason(column, ref, cur, options);
      if (reason) {
        excluded.push({ column, reason });
        continue;
      }
    }
    const type =
      forced ?? (ref.type === 'numerical' && cur.type === 'numerical' ? 'numerical' : 'categorical');
    if (type === 'numerical') {
      if (ref.type !== 'numerical' || cur.type !== 'numerical')
        throw new Error('internal: numerical column read as text');
      refColumns.set(column, { type, values: ref.values });
      curColumns.set(column, { type, values: cur.values });
      continue;
    }
    const r = categorical(ref, reference.rows);
    const c = categorical(cur, current.rows);
    const categories = [...new Set([...r.categories, ...c.categories])].sort(compareText);
    const index = new Map(categories.map((k, i) => [k, i]));
    refColumns.set(column, {
      type,
      codes: recode(r.codes, r.categories, index, categories.length),
      categories,
    });
    curColumns.set(column, {
      type,
      codes: recode(c.codes, c.categories, index, categories.length),
      categories,
    });
  }
  if (refColumns.size === 0) throw new DriftDataError('no columns left to compare');
  return {
    reference: { name: reference.name, rows: reference.rows, columns: refColumns, excluded },
    current: { name: current.name, rows: current.rows, columns: curColumns, excluded },
  };
}

/**
 * Codes into `from` re-coded into the shared dictionary of `size` categories: in place, or into a wider array
 * when the shared dictionary outgrows the codes' type.
 */
function recode(
  codes: CategoryCodes,
  from: readonly string[],
  index: ReadonlyMap<string, number>,
  size: number,
): CategoryCodes {
  const map = Int32Array.from(from, (k) => index.get(k)!);
  const Wide = codesArrayFor(size);
  const out =
    codes instanceof Wide || codes.BYTES_PER_ELEMENT >= Wide.BYTES_PER_ELEMENT
      ? codes
      : new Wide(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    out[i] = c >= 0 ? map[c]! : -1;
  }
  return out;
}

/** The reader options drift uses for one side: only the columns it may compare, forced types, id detection. */
export function driftReadOptions(name: string, options: CsvTableOptions): CsvReadOptions {
  return {
    name,
    ...(options.columns ? { only: options.columns } : {}),
    skip: [...(options.ignore ?? []), ...(options.idColumns ?? [])],
    ...(options.types ? { types: options.types } : {}),
    distinctIds: ID_MIN_VALUES,
  };
}

/**
 * Reads both sides with `read` (in parallel when it can) and builds the drift tables. A column read as an id
 * on one side that is kept after all (the other side is not an id, or it was asked for) is read again with
 * its values.
 */
export async function readDriftTables(
  read: ReadCsvSide,
  names: { reference: string; current: string },
  options: CsvTableOptions = {},
): Promise<{ reference: DriftTable; current: DriftTable }> {
  let [reference, current] = await Promise.all([
    read('reference', driftReadOptions(names.reference, options)),
    read('current', driftReadOptions(names.current, options)),
  ]);
  const again = { reference: [] as string[], current: [] as string[] };
  for (const [column, ref] of reference.columns) {
    const cur = current.columns.get(column);
    if (!cur || (ref.type !== 'id' && cur.type !== 'id')) continue;
    if (
      !options.types?.[column] &&
      (kindMismatch(column, ref, cur, names) || idReason(column, ref, cur, options))
    ) {
      continue;
    }
    if (ref.type === 'id') again.reference.push(column);
    if (cur.type === 'id') again.current.push(column);
  }
  const merge = async (side: 'reference' | 'current', table: CsvColumns): Promise<CsvColumns> => {
    const columns = again[side];
    if (columns.length === 0) return table;
    const types = Object.fromEntries(columns.map((c) => [c, 'categorical' as const]));
    const extra = await read(side, { name: table.name, only: columns, types });
    const merged = new Map(table.columns);
    for (const column of columns) {
      const before = table.columns.get(column)!;
      const after = extra.columns.get(column)!;
      merged.set(
        column,
        after.type === 'categorical' && before.type === 'id'
          ? { ...after, firstText: before.firstText }
          : after,
      );
    }
    return { ...table, columns: merged };
  };
  [reference, current] = await Promise.all([merge('reference', reference), merge('current', current)]);
  return driftTablesFromCsvColumns(reference, current, options);
}

/** `readDriftTables` over two sources read in this thread (bytes, text or re-openable chunk streams). */
export function readDriftTablesFromCsv(
  reference: CsvSource,
  current: CsvSource,
  names: { reference: string; current: string },
  options: CsvTableOptions = {},
): Promise<{ reference: DriftTable; current: DriftTable }> {
  return readDriftTables(
    (side, o) => readCsvColumns(side === 'reference' ? reference : current, o),
    names,
    options,
  );
}
