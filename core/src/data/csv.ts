// CSV parsing (papaparse) into a header and string rows, and the one rule for missing cells.
import Papa from 'papaparse';
import { CsvError } from '../table/read-csv-columns';

export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export { CsvError } from '../table/read-csv-columns';

/** A blank or whitespace-only cell is a missing value. */
export function isMissingCell(cell: string | undefined): boolean {
  return cell === undefined || cell.trim() === '';
}

/**
 * Parses CSV text with a header row. Rows whose width differs from the header are an error naming the
 * line; a wholly empty trailing line is ignored. `source` names the input in error messages.
 */
export function parseCsv(text: string, source = 'input'): CsvTable {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const [header, ...rows] = parsed.data;
  if (!header || header.length === 0 || (header.length === 1 && header[0] === '')) {
    throw new CsvError(`${source}: the file is empty (no header row)`);
  }
  const quoteError = parsed.errors.find((e) => e.type === 'Quotes');
  if (quoteError)
    throw new CsvError(`${source}: malformed CSV at row ${(quoteError.row ?? 0) + 1}: ${quoteError.message}`);
  rows.forEach((row, i) => {
    if (row.length !== header.length) {
      throw new CsvError(
        `${source}: line ${i + 2} has ${row.length} fields, the header has ${header.length}`,
      );
    }
  });
  return { header: header.map((h) => h.trim()), rows };
}

/** Serialises rows to CSV (RFC 4180 quoting). */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  return Papa.unparse({ fields: [...header], data: rows.map((r) => r.map((c) => (c === null ? '' : c))) });
}
