// Loading CSV files for training, prediction and import: one reader (swappable), rows by a model's schema.
import { CsvError, sha256Hex, toFeatureRows } from '@pmm/core/data';
import {
  type FeatureRows,
  type ModelSchema,
  type RowsOptions,
  SchemaError,
  type TextTable,
  tableToRows,
} from '@pmm/core/schema';
import { readCsvTable as readCsvBytes } from '@pmm/core/table';
import { CliError } from './cli-error';
import { readInputFile } from './files';

export interface LoadedTable {
  readonly table: TextTable;
  readonly sha256: string;
}

export interface LoadedDataset extends FeatureRows {
  readonly sha256: string;
  readonly totalRows: number;
}

/**
 * Reads a CSV file into a header and text rows, with its sha256. The one place the CLI parses CSV (so the
 * streaming typed-column reader can replace it). Errors are one line naming the file.
 */
export async function readCsvTable(file: string): Promise<LoadedTable> {
  const bytes = await readInputFile(file, 'CSV file');
  if (bytes.length === 0) throw new CliError(`CSV file is empty: ${file}`);
  try {
    const table = await readCsvBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), {
      name: file,
    });
    if (table.rows.length === 0) throw new CliError(`${file}: no data rows after the header`);
    return { table, sha256: await sha256Hex(new Uint8Array(bytes)) };
  } catch (error) {
    if (error instanceof CsvError) throw new CliError(error.message);
    throw error;
  }
}

/** A table's rows as feature records by a schema (`null`: the Telco demo's), as a CLI error when a column is missing. */
export function rowsBySchema(
  loaded: LoadedTable,
  file: string,
  schema: ModelSchema | null,
  options: RowsOptions = {},
): LoadedDataset {
  try {
    const rows =
      schema === null ? toFeatureRows(loaded.table, file) : tableToRows(loaded.table, schema, file, options);
    return { ...rows, sha256: loaded.sha256, totalRows: loaded.table.rows.length };
  } catch (error) {
    if (error instanceof SchemaError) throw new CliError(error.message);
    throw error;
  }
}

/** Reads a CSV of the Telco demo's 19 features (Telco or snake_case column names); problems are kept per row. */
export async function loadFeatureCsv(file: string): Promise<LoadedDataset> {
  return rowsBySchema(await readCsvTable(file), file, null);
}

/** Summarises row issues in one line: the first few, then a count. */
export function describeIssues(issues: FeatureRows['issues'], limit = 3): string {
  const shown = issues.slice(0, limit).map((i) => `row ${i.row}, field ${i.field}: ${i.message}`);
  const more = issues.length > limit ? ` (and ${issues.length - limit} more)` : '';
  return shown.join('; ') + more;
}
