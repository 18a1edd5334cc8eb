// `pmm multivariate`: NannyML's multivariate drift (PCA reconstruction error per chunk) of an analysis CSV against a
// reference CSV; catches a change in the relations between columns that column-by-column tests cannot see.
import type { CsvTable } from '@pmm/core/data';
import { buildDriftTables, type DriftTable, rawTableFromCsv } from '@pmm/core/drift';
import {
  analysisDrift,
  fitReconstruction,
  type MultivariateColumn,
  type MultivariateTable,
  multivariateJson,
  multivariateReport,
  referenceDrift,
  renderMultivariateHtml,
  renderMultivariateText,
} from '@pmm/core/multivariate';
import type { Command } from 'commander';
import {
  type ChunkingFlags,
  chunkRows,
  parseChunking,
  readTimestamps,
  timestampOrder,
} from '../util/chunking';
import { CliError } from '../util/cli-error';
import { readCsvTable } from '../util/csv-columns';
import { writeReport } from '../util/files';
import { parseFormat } from '../util/output';

interface MultivariateCliOptions extends ChunkingFlags {
  reference: string;
  analysis: string;
  categorical?: string;
  numerical?: string;
  ignore?: string;
  format: string;
  out?: string;
}

/** "a, b,,c" → ["a", "b", "c"]. */
function parseList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A drift table (typed columns) as the method's input, rows in `order` when given. */
function toMultivariate(table: DriftTable, order: Uint32Array | null): MultivariateTable {
  const pick = <T>(n: number, at: (i: number) => T): T[] =>
    Array.from({ length: n }, (_, i) => at(order ? order[i]! : i));
  const columns: MultivariateColumn[] = [];
  for (const [name, column] of table.columns) {
    if (column.type === 'numerical')
      columns.push({
        name,
        kind: 'continuous',
        values: Float64Array.from(pick(table.rows, (i) => column.values[i]!)),
      });
    else
      columns.push({
        name,
        kind: 'categorical',
        values: pick(table.rows, (i) => {
          const code = column.codes[i]!;
          return code < 0 ? null : column.categories[code]!;
        }),
      });
  }
  return { rows: table.rows, columns };
}

export async function runMultivariate(opts: MultivariateCliOptions): Promise<void> {
  const format = parseFormat(opts.format, ['text', 'json', 'html'] as const);
  const chunking = parseChunking(opts);
  const categorical = parseList(opts.categorical);
  const numerical = parseList(opts.numerical);
  const both = categorical.find((c) => numerical.includes(c));
  if (both !== undefined)
    throw new CliError(`column "${both}" is given both in --categorical and --numerical`);
  const ignore = parseList(opts.ignore);
  const referenceCsv = await readCsvTable(opts.reference, 'reference file');
  const analysisCsv = await readCsvTable(opts.analysis, 'analysis file');
  const orders: [Uint32Array | null, Uint32Array | null] = [null, null];
  const sorted: [number[] | null, number[] | null] = [null, null];
  if (opts.timestamp !== undefined) {
    [referenceCsv, analysisCsv].forEach((csv: CsvTable, side) => {
      const file = side === 0 ? opts.reference : opts.analysis;
      const ts = readTimestamps(csv, opts.timestamp!, file);
      const order = timestampOrder(ts);
      orders[side] = order;
      sorted[side] = Array.from(order, (i) => ts[i]!);
    });
    if (!ignore.includes(opts.timestamp)) ignore.push(opts.timestamp);
  }
  const types: Record<string, 'categorical' | 'numerical'> = {};
  for (const c of categorical) types[c] = 'categorical';
  for (const c of numerical) types[c] = 'numerical';
  let output: string;
  try {
    const reference = rawTableFromCsv(referenceCsv, opts.reference);
    const used = [...reference.columns.keys()].filter((c) => !ignore.includes(c));
    if (used.length === 0)
      throw new CliError(`no usable column: every column of ${opts.reference} is ignored`);
    const tables = buildDriftTables(reference, rawTableFromCsv(analysisCsv, opts.analysis), {
      ignore,
      types,
    });
    const ref = toMultivariate(tables.reference, orders[0]);
    const ana = toMultivariate(tables.current, orders[1]);
    const refChunks = chunkRows(chunking, ref.rows, opts.reference, sorted[0]);
    const anaChunks = chunkRows(chunking, ana.rows, opts.analysis, sorted[1]);
    const drift = referenceDrift(fitReconstruction(ref), ref, refChunks);
    const report = multivariateReport(drift, analysisDrift(drift, ana, anaChunks));
    const context = {
      reference: opts.reference,
      analysis: opts.analysis,
      generatedAt: new Date().toISOString(),
    };
    output =
      format === 'json'
        ? multivariateJson(report)
        : format === 'html'
          ? renderMultivariateHtml(report, context)
          : renderMultivariateText(report, context);
  } catch (error) {
    if (
      error instanceof Error &&
      ['DriftDataError', 'MultivariateInputError', 'ChunkError'].includes(error.name)
    )
      throw new CliError(error.message);
    throw error;
  }
  await writeReport(opts.out, output);
}

export function registerMultivariateCommand(program: Command): void {
  program
    .command('multivariate')
    .description(
      "multivariate drift per chunk: PCA reconstruction error against the reference (NannyML 0.13's data reconstruction)",
    )
    .requiredOption(
      '--reference <csv>',
      'reference data: imputation, encodings, scaler, PCA and thresholds are fitted on it',
    )
    .requiredOption('--analysis <csv>', 'the data to check')
    .option('--chunk-size <n>', 'chunks of n rows (a last smaller chunk is kept, as NannyML)')
    .option('--chunk-number <k>', 'k chunks of equal size (default: 10)')
    .option(
      '--chunk-period <period>',
      'chunks by calendar period of --timestamp: h, d, w, m, q or y (e.g. 1d)',
    )
    .option(
      '--timestamp <column>',
      'timestamp column; rows are sorted by it before chunking (it is not a feature)',
    )
    .option('--categorical <columns>', 'comma-separated columns to treat as categorical (frequency-encoded)')
    .option(
      '--numerical <columns>',
      'comma-separated columns to treat as continuous (a 0/1 column is, by default)',
    )
    .option('--ignore <columns>', 'comma-separated columns to leave out (ids, targets, predictions)')
    .option('--format <format>', 'text, json or html', 'text')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .action(runMultivariate);
}
