// Reading a CSV through the shared reader and taking whole columns as numbers, with one-line errors naming
// the file, the column and the row.
import { CsvError, type CsvTable, isMissingCell, parseCsv } from '@pmm/core/data';
import { CliError } from './cli-error';
import { readInputText } from './files';

export async function readCsvTable(file: string, what: string): Promise<CsvTable> {
  const text = await readInputText(file, what);
  try {
    const table = parseCsv(text, file);
    if (table.rows.length === 0) throw new CliError(`${file}: no data rows after the header`);
    return table;
  } catch (error) {
    if (error instanceof CsvError) throw new CliError(error.message);
    throw error;
  }
}

export function hasColumn(table: CsvTable, column: string): boolean {
  return table.header.includes(column);
}

/** The cells of `column` as strings; throws naming the file and the columns it has. */
export function textColumn(table: CsvTable, column: string, file: string): string[] {
  const j = table.header.indexOf(column);
  if (j < 0) throw new CliError(`${file}: no column "${column}" (columns: ${table.header.join(', ')})`);
  return table.rows.map((r) => r[j] ?? '');
}

/** The cells of `column` as finite numbers; a missing or non-numeric cell is an error naming its row. */
export function numberColumn(table: CsvTable, column: string, file: string): Float64Array {
  const cells = textColumn(table, column, file);
  const out = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    const v = isMissingCell(cell) ? Number.NaN : Number(cell.trim());
    if (!Number.isFinite(v)) {
      throw new CliError(
        `${file}: column "${column}" row ${i + 2} is ${isMissingCell(cell) ? 'missing' : `"${cell}", not a number`}`,
      );
    }
    out[i] = v;
  }
  return out;
}

const TRUE_LABELS = new Set(['1', 'true', 'yes', '1.0']);
const FALSE_LABELS = new Set(['0', 'false', 'no', '0.0']);

/**
 * A binary label column (1/0, true/false, yes/no, case-insensitive) as 1/0; with `allowMissing`, an empty cell
 * is NaN (a label not yet known) instead of an error.
 */
export function labelColumn(
  table: CsvTable,
  column: string,
  file: string,
  allowMissing = false,
): Float64Array {
  const cells = textColumn(table, column, file);
  return Float64Array.from(cells, (cell, i) => {
    if (allowMissing && isMissingCell(cell)) return Number.NaN;
    const c = cell.trim().toLowerCase();
    if (TRUE_LABELS.has(c)) return 1;
    if (FALSE_LABELS.has(c)) return 0;
    throw new CliError(
      `${file}: column "${column}" row ${i + 2} is "${cell}", not a binary label (1/0, yes/no, true/false)`,
    );
  });
}
