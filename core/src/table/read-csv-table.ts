// A CSV read by the streaming reader as a header and rows of trimmed cell text (for row-wise consumers).
import type { CsvTable } from '../data/csv';
import { type CsvReadOptions, type CsvSource, readCsvColumns } from './read-csv-columns';

/**
 * Reads a CSV with `readCsvColumns` (same rules and errors: blank records skipped, malformed lines named, UTF-8
 * checked) and returns its rows as text: each cell trimmed, '' where blank. Cell strings are shared through the
 * columns' dictionaries, so a file of few distinct values costs little beyond the row arrays.
 * Example: `(await readCsvTable('a,b\n1, x \n')).rows` → [['1', 'x']].
 */
export async function readCsvTable(
  source: CsvSource,
  options: Pick<CsvReadOptions, 'name'> = {},
): Promise<CsvTable> {
  const table = await readCsvColumns(source, { ...options, allText: true });
  const columns = table.header.map((name) => {
    const column = table.columns.get(name);
    if (!column || column.type !== 'categorical')
      throw new Error(`internal: column "${name}" not read as text`);
    return column;
  });
  const rows = new Array<string[]>(table.rows);
  for (let i = 0; i < table.rows; i++) {
    const row = new Array<string>(columns.length);
    for (let j = 0; j < columns.length; j++) {
      const c = columns[j]!;
      const code = c.codes[i]!;
      row[j] = code < 0 ? '' : c.categories[code]!;
    }
    rows[i] = row;
  }
  return { header: table.header, rows };
}
