// `pmm estimate`: label-free performance of a binary classifier per chunk (NannyML's CBPE), from a reference
// CSV with targets and an analysis CSV of scores, or from a model folder whose model.json carries its holdout.
import {
  type CbpeData,
  type Chunker,
  estimateCbpe,
  estimateJson,
  estimateReport,
  fitCbpe,
  METRICS,
  type MetricName,
  renderEstimateHtml,
  renderEstimateText,
} from '@pmm/core/estimate';
import { modelSchemaOf } from '@pmm/core/model';
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
import { hasColumn, labelColumn, numberColumn, readCsvTable } from '../util/csv-columns';
import { describeIssues, readCsvTable as readTableForSchema, rowsBySchema } from '../util/dataset';
import { writeReport } from '../util/files';
import { createNodePredictor, loadModelFolder } from '../util/model-folder';
import { parseFormat, parseNumberOption } from '../util/output';

interface EstimateCliOptions extends ChunkingFlags {
  reference?: string;
  analysis: string;
  model?: string;
  target?: string;
  score?: string;
  prediction?: string;
  threshold: string;
  metrics?: string;
  format: string;
  out?: string;
}

/** One data set ready for CBPE, with its rows already in chunking order and the chunker that fits it. */
interface Prepared {
  readonly data: CbpeData;
  readonly chunker: Chunker;
}

function parseMetrics(value: string | undefined): MetricName[] {
  if (value === undefined) return [...METRICS];
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names)
    if (!(METRICS as readonly string[]).includes(n))
      throw new CliError(`unknown metric "${n}" (known: ${METRICS.join(', ')})`);
  if (names.length === 0) throw new CliError('--metrics names no metric');
  return [...new Set(names)] as MetricName[];
}

/** Reorders the columns by timestamp (NannyML sorts before chunking) and builds the chunker for them. */
function arrange(
  columns: { scores: Float64Array; predictions: Float64Array; targets?: Float64Array },
  timestamps: number[] | null,
  chunking: Chunking,
  what: string,
): Prepared {
  if (!timestamps) return { data: columns, chunker: (rows) => chunkRows(chunking, rows, what, null) };
  const order = timestampOrder(timestamps);
  const pick = (a: Float64Array) => Float64Array.from(order, (i) => a[i]!);
  const data: CbpeData = {
    scores: pick(columns.scores),
    predictions: pick(columns.predictions),
    ...(columns.targets ? { targets: pick(columns.targets) } : {}),
  };
  const sorted = Array.from(order, (i) => timestamps[i]!);
  return { data, chunker: (rows) => chunkRows(chunking, rows, what, sorted) };
}

function checkScores(scores: Float64Array, file: string, column: string): void {
  for (let i = 0; i < scores.length; i++)
    if (!(scores[i]! >= 0 && scores[i]! <= 1))
      throw new CliError(
        `${file}: column "${column}" row ${i + 2} is ${scores[i]}, a score must be in [0, 1]`,
      );
}

async function fromCsv(
  file: string,
  what: string,
  opts: EstimateCliOptions,
  chunking: Chunking,
  threshold: number,
  needTargets: boolean,
): Promise<Prepared> {
  const table = await readCsvTable(file, what);
  const scores = numberColumn(table, opts.score!, file);
  checkScores(scores, file, opts.score!);
  const predictions =
    opts.prediction !== undefined
      ? labelColumn(table, opts.prediction, file)
      : scores.map((s) => (s >= threshold ? 1 : 0));
  let targets: Float64Array | undefined;
  if (needTargets || (opts.target !== undefined && hasColumn(table, opts.target)))
    targets = labelColumn(table, opts.target!, file, !needTargets);
  let timestamps: number[] | null = null;
  if (opts.timestamp !== undefined) timestamps = readTimestamps(table, opts.timestamp, file);
  return arrange({ scores, predictions, ...(targets ? { targets } : {}) }, timestamps, chunking, file);
}

async function fromModel(
  opts: EstimateCliOptions,
  chunking: Chunking,
  threshold: number,
): Promise<[Prepared, Prepared]> {
  const model = await loadModelFolder(opts.model!);
  const ref = model.card.reference_predictions;
  if (!ref)
    throw new CliError(
      `${opts.model}: model.json has no reference_predictions (train the model again with this pmm)`,
    );
  const refScores = Float64Array.from(ref.scores);
  const reference = arrange(
    {
      scores: refScores,
      predictions: refScores.map((s) => (s >= threshold ? 1 : 0)),
      targets: Float64Array.from(ref.targets),
    },
    null,
    chunking.kind === 'period' ? { kind: 'default' } : chunking,
    `${opts.model} holdout`,
  );
  // The analysis rows by the model's own schema; its target column, when present, gives realized values.
  const dataset = rowsBySchema(
    await readTableForSchema(opts.analysis),
    opts.analysis,
    modelSchemaOf(model.card),
  );
  if (dataset.issues.length > 0) {
    const bad = new Set(dataset.issues.map((i) => i.row)).size;
    throw new CliError(
      `${opts.analysis}: ${bad} of ${dataset.totalRows} row(s) failed validation: ${describeIssues(dataset.issues)}`,
    );
  }
  const predictor = await createNodePredictor(model, 'ort');
  const scores = Float64Array.from(await predictor.predict(dataset.records));
  const columns = {
    scores,
    predictions: scores.map((s) => (s >= threshold ? 1 : 0)),
    ...(dataset.labels ? { targets: Float64Array.from(dataset.labels) } : {}),
  };
  let timestamps: number[] | null = null;
  if (opts.timestamp !== undefined) {
    const table = await readCsvTable(opts.analysis, 'analysis file');
    timestamps = readTimestamps(table, opts.timestamp, opts.analysis);
  }
  return [reference, arrange(columns, timestamps, chunking, opts.analysis)];
}

export async function runEstimate(opts: EstimateCliOptions): Promise<void> {
  const format = parseFormat(opts.format, ['text', 'json', 'html'] as const);
  const metrics = parseMetrics(opts.metrics);
  const threshold = parseNumberOption(
    '--threshold',
    opts.threshold,
    (n) => n >= 0 && n <= 1,
    'a number in [0, 1]',
  );
  const chunking = parseChunking(opts);
  let reference: Prepared;
  let analysis: Prepared;
  if (opts.model !== undefined) {
    if (opts.reference !== undefined) throw new CliError('give either --model or --reference, not both');
    [reference, analysis] = await fromModel(opts, chunking, threshold);
  } else {
    if (opts.reference === undefined) throw new CliError('give --reference <csv> (or --model <dir>)');
    if (opts.target === undefined) throw new CliError('--target <column> is required with --reference');
    if (opts.score === undefined) throw new CliError('--score <column> is required with --reference');
    reference = await fromCsv(opts.reference, 'reference file', opts, chunking, threshold, true);
    analysis = await fromCsv(opts.analysis, 'analysis file', opts, chunking, threshold, false);
  }
  let output: string;
  try {
    const fit = fitCbpe(reference.data, { metrics, chunker: reference.chunker });
    const chunks = estimateCbpe(fit, analysis.data, analysis.chunker);
    const report = estimateReport(fit, chunks);
    const context = {
      reference: opts.model ? `${opts.model} (holdout)` : opts.reference!,
      analysis: opts.analysis,
      generatedAt: new Date().toISOString(),
    };
    output =
      format === 'json'
        ? estimateJson(report)
        : format === 'html'
          ? renderEstimateHtml(report, context)
          : renderEstimateText(report, context);
  } catch (error) {
    if (error instanceof Error && ['CbpeInputError', 'ChunkError'].includes(error.name))
      throw new CliError(error.message);
    throw error;
  }
  await writeReport(opts.out, output);
}

export function registerEstimateCommand(program: Command): void {
  program
    .command('estimate')
    .description("estimate a binary classifier's performance without labels, per chunk (NannyML 0.13's CBPE)")
    .requiredOption(
      '--analysis <csv>',
      'the data to estimate on (scores; targets optional, never read by the estimate)',
    )
    .option('--reference <csv>', 'labelled reference data (targets and scores)')
    .option(
      '--model <dir>',
      'score the analysis CSV with this model; its holdout (model.json reference_predictions) is the reference',
    )
    .option('--target <column>', 'target column (0/1, yes/no, true/false)')
    .option('--score <column>', 'score column: probability of the positive class, in [0, 1]')
    .option('--prediction <column>', 'predicted label column (default: score ≥ --threshold)')
    .option('--threshold <x>', 'decision threshold for predicted labels', '0.5')
    .option('--chunk-size <n>', 'chunks of n rows (a last smaller chunk is kept, as NannyML)')
    .option('--chunk-number <k>', 'k chunks of equal size (default: 10)')
    .option(
      '--chunk-period <period>',
      'chunks by calendar period of --timestamp: h, d, w, m, q or y (e.g. 1d)',
    )
    .option('--timestamp <column>', 'timestamp column; rows are sorted by it before chunking')
    .option('--metrics <list>', `comma-separated metrics (default: ${METRICS.join(',')})`)
    .option('--format <format>', 'text, json or html', 'text')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .action(runEstimate);
}
