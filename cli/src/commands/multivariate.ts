// `pmm multivariate`: NannyML's multivariate drift (PCA reconstruction error per chunk) of an analysis CSV against a
// reference CSV; catches a change in the relations between columns that column-by-column tests cannot see.
import type { CsvTable } from '@pmm/core/data';
import { buildDriftTables, type DriftTable, rawTableFromCsv } from '@pmm/core/drift';
import { modelSchemaOf } from '@pmm/core/model';
import {
  analysisDrift,
  fitReconstruction,
  type MultivariateColumn,
  type MultivariateTable,
  multivariateJson,
  multivariateReport,
  type ReconstructionDrift,
  type ReconstructionModel,
  referenceDrift,
  referenceDriftFromErrors,
  renderMultivariateHtml,
  renderMultivariateText,
} from '@pmm/core/multivariate';
import type { Command } from 'commander';
import {
  type Chunking,
  type ChunkingFlags,
  chunkRows,
  parseChunking,
  readTimestamps,
  timestampOrder,
} from '../util/chunking';
import { CliError } from '../util/cli-error';
import { readCsvTable } from '../util/csv-columns';
import { writeReport } from '../util/files';
import { loadModelFolder } from '../util/model-folder';
import { parseFormat } from '../util/output';

interface MultivariateCliOptions extends ChunkingFlags {
  reference?: string;
  model?: string;
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

/** What `--model` gives: the features' kinds, and the fitted model when no --reference is given. */
interface FromModel {
  readonly dir: string;
  readonly features: readonly { name: string; kind: 'numerical' | 'categorical'; column?: string }[];
  readonly fit: ReconstructionModel | undefined;
}

async function readModel(opts: MultivariateCliOptions, chunking: Chunking): Promise<FromModel> {
  const dir = opts.model!;
  if (opts.categorical !== undefined || opts.numerical !== undefined)
    throw new CliError(
      "--categorical and --numerical cannot be given with --model: the model's schema gives the kinds",
    );
  const { card } = await loadModelFolder(dir);
  const features = modelSchemaOf(card).features.map((f) => ({
    name: f.name,
    kind: f.kind,
    ...(f.column !== undefined && { column: f.column }),
  }));
  if (opts.reference !== undefined) return { dir, features, fit: undefined };
  const fit = card.multivariate;
  if (!fit?.reference_errors)
    throw new CliError(
      `${dir}: model.json has no multivariate fit (train or import the model again with this pmm, or pass --reference <csv>)`,
    );
  if (chunking.kind === 'period')
    throw new CliError(
      `--chunk-period needs the reference's timestamps, which ${dir}/model.json does not keep: pass --reference <csv> too`,
    );
  return { dir, features, fit };
}

export async function runMultivariate(opts: MultivariateCliOptions): Promise<void> {
  const format = parseFormat(opts.format, ['text', 'json', 'html'] as const);
  const chunking = parseChunking(opts);
  if (opts.reference === undefined && opts.model === undefined)
    throw new CliError('give --reference <csv> or --model <dir>');
  const model = opts.model !== undefined ? await readModel(opts, chunking) : undefined;
  const categorical = parseList(opts.categorical);
  const numerical = parseList(opts.numerical);
  const both = categorical.find((c) => numerical.includes(c));
  if (both !== undefined)
    throw new CliError(`column "${both}" is given both in --categorical and --numerical`);
  const ignore = parseList(opts.ignore);
  const referenceCsv =
    opts.reference !== undefined ? await readCsvTable(opts.reference, 'reference file') : undefined;
  const analysisCsv = await readCsvTable(opts.analysis, 'analysis file');
  const orders: [Uint32Array | null, Uint32Array | null] = [null, null];
  const sorted: [number[] | null, number[] | null] = [null, null];
  if (opts.timestamp !== undefined) {
    [referenceCsv, analysisCsv].forEach((csv: CsvTable | undefined, side) => {
      if (!csv) return;
      const file = side === 0 ? opts.reference! : opts.analysis;
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
  // with --model, the model's features are the columns (an analysis file may hold ids, targets, predictions), each
  // by its name or else its source column (the Telco CSV's `Contract` for `contract`), renamed to the feature
  const sourceOf = new Map<string, string>();
  for (const f of model?.features ?? []) {
    const source =
      !analysisCsv.header.includes(f.name) && f.column !== undefined && analysisCsv.header.includes(f.column)
        ? f.column
        : f.name;
    sourceOf.set(source, f.name);
    types[source] = f.kind;
  }
  const columns = model ? [...sourceOf.keys()] : undefined;
  const rename = (table: MultivariateTable): MultivariateTable =>
    sourceOf.size === 0
      ? table
      : { ...table, columns: table.columns.map((c) => ({ ...c, name: sourceOf.get(c.name) ?? c.name })) };
  let output: string;
  try {
    const analysisRaw = rawTableFromCsv(analysisCsv, opts.analysis);
    let drift: ReconstructionDrift;
    let ana: MultivariateTable;
    if (model?.fit) {
      const tables = buildDriftTables(analysisRaw, analysisRaw, { columns: columns!, types });
      ana = rename(toMultivariate(tables.current, orders[1]));
      const errors = model.fit.reference_errors!;
      const refChunks = chunkRows(chunking, errors.length, `${model.dir} reference`, null);
      drift = referenceDriftFromErrors(model.fit, errors, refChunks);
    } else {
      const reference = rawTableFromCsv(referenceCsv!, opts.reference!);
      const used = [...reference.columns.keys()].filter((c) => !ignore.includes(c));
      if (used.length === 0)
        throw new CliError(`no usable column: every column of ${opts.reference} is ignored`);
      const tables = buildDriftTables(reference, analysisRaw, {
        ignore,
        types,
        ...(columns && { columns }),
      });
      const ref = rename(toMultivariate(tables.reference, orders[0]));
      ana = rename(toMultivariate(tables.current, orders[1]));
      const refChunks = chunkRows(chunking, ref.rows, opts.reference!, sorted[0]);
      drift = referenceDrift(fitReconstruction(ref), ref, refChunks);
    }
    const anaChunks = chunkRows(chunking, ana.rows, opts.analysis, sorted[1]);
    const report = multivariateReport(drift, analysisDrift(drift, ana, anaChunks));
    const context = {
      reference: opts.reference ?? `${opts.model} (model.json)`,
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
    .option(
      '--reference <csv>',
      'reference data: imputation, encodings, scaler, PCA and thresholds are fitted on it',
    )
    .option(
      '--model <dir>',
      "take the kinds from this model's schema and, without --reference, the fit and reference from its model.json",
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
