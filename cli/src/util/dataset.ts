// Loading a labelled or unlabelled feature CSV for training and prediction, with CLI-grade errors.
import { CsvError, type FeatureRows, sha256Hex, toFeatureRows } from '@pmm/core/data';
import { readCsvTable } from '@pmm/core/table';
import { CliError } from './cli-error';
import { readInputFile } from './files';

export interface LoadedDataset extends FeatureRows {
  readonly sha256: string;
  readonly totalRows: number;
}

/** Reads a CSV of the 19 features (Telco or snake_case column names); validation problems are kept per row. */
export async function loadFeatureCsv(file: string): Promise<LoadedDataset> {
  const bytes = await readInputFile(file, 'CSV file');
  if (bytes.length === 0) throw new CliError(`CSV file is empty: ${file}`);
  try {
    const table = await readCsvTable(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), {
      name: file,
    });
    if (table.rows.length === 0) throw new CliError(`${file}: no data rows after the header`);
    const rows = toFeatureRows(table, file);
    return { ...rows, sha256: await sha256Hex(new Uint8Array(bytes)), totalRows: table.rows.length };
  } catch (error) {
    if (error instanceof CsvError || (error instanceof Error && error.message.startsWith(file))) {
      throw new CliError(error.message);
    }
    throw error;
  }
}

/** Summarises row issues in one line: the first few, then a count. */
export function describeIssues(issues: FeatureRows['issues'], limit = 3): string {
  const shown = issues.slice(0, limit).map((i) => `row ${i.row}, field ${i.field}: ${i.message}`);
  const more = issues.length > limit ? ` (and ${issues.length - limit} more)` : '';
  return shown.join('; ') + more;
}
