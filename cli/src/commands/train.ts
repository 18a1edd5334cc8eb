// `pmm train`: train a binary classifier on any labelled CSV (the Telco demo by default) and write model.onnx + model.json.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isTelcoHeader, type RowIssue, TELCO_SCHEMA } from '@pmm/core/data';
import { type ExcludedColumn, type InferredSchema, inferSchema, SchemaError } from '@pmm/core/schema';
import { trainArtifact, trainOptionsFor } from '@pmm/core/train';
import type { Command } from 'commander';
import { CliError } from '../util/cli-error';
import { describeIssues, type LoadedTable, readCsvTable, rowsBySchema } from '../util/dataset';
import { parseFormat, parseNumberOption, printJson } from '../util/output';
import { startProgress } from '../util/progress';

export interface TrainCommandOptions {
  readonly data: string;
  readonly out: string;
  readonly seed: number;
  readonly epochs?: number;
  readonly hidden?: number[];
  readonly parent?: string | null;
  readonly progress?: boolean;
  /** The outcome column; absent: the Telco demo's (`Churn`), and only for the Telco file. */
  readonly target?: string;
  readonly positive?: string;
  readonly idColumn?: string;
  readonly drop?: string[];
  readonly categorical?: string[];
  readonly numerical?: string[];
  /** Called with each column left out of the model and why (the command prints them). */
  readonly onExcluded?: (excluded: readonly ExcludedColumn[]) => void;
}

/** Whether the options ask for the Telco demo's behaviour on a Telco-shaped file (today's default). */
function isDemoRequest(options: TrainCommandOptions, header: readonly string[]): boolean {
  const flags = [options.idColumn, options.drop, options.categorical, options.numerical];
  return (
    isTelcoHeader(header) &&
    flags.every((f) => f === undefined) &&
    (options.target === undefined || options.target === TELCO_SCHEMA.target.column) &&
    (options.positive === undefined || options.positive === TELCO_SCHEMA.target.positive)
  );
}

/** The schema and rows to train on: the demo's for the Telco file, else inferred from the table. */
function trainingRows(options: TrainCommandOptions, loaded: LoadedTable) {
  if (isDemoRequest(options, loaded.table.header)) {
    const rows = rowsBySchema(loaded, options.data, null);
    if (!rows.labels)
      throw new CliError(`${options.data}: no Churn column, so there is nothing to learn from`);
    return { schema: TELCO_SCHEMA, rows, skipped: [] as RowIssue[] };
  }
  if (options.target === undefined)
    throw new CliError(`${options.data}: say which column to learn with --target COLUMN`);
  let inferred: InferredSchema;
  try {
    inferred = inferSchema(loaded.table, {
      target: options.target,
      ...(options.positive !== undefined && { positive: options.positive }),
      ...(options.idColumn !== undefined && { idColumn: options.idColumn }),
      ...(options.drop !== undefined && { drop: options.drop }),
      ...(options.categorical !== undefined && { categorical: options.categorical }),
      ...(options.numerical !== undefined && { numerical: options.numerical }),
    });
  } catch (error) {
    if (error instanceof SchemaError) throw new CliError(`${options.data}: ${error.message}`);
    throw error;
  }
  options.onExcluded?.(inferred.excluded);
  const all = rowsBySchema(loaded, options.data, inferred.schema);
  // A blank target cannot be learnt from: such rows are left out and counted, never silently.
  const skipped = all.issues.filter(
    (i) => i.field === options.target && i.message === 'missing target value',
  );
  const issues = all.issues.filter((i) => !skipped.includes(i));
  return { schema: inferred.schema, rows: { ...all, issues }, skipped };
}

/** Trains and writes an artifact folder; returns the model card. Shared by `pmm train` and `pmm start`. */
export async function trainToFolder(options: TrainCommandOptions) {
  const loaded = await readCsvTable(options.data);
  const { schema, rows: dataset, skipped } = trainingRows(options, loaded);
  if (dataset.issues.length > 0) {
    throw new CliError(
      `${options.data}: ${dataset.issues.length} invalid row(s): ${describeIssues(dataset.issues)}`,
    );
  }
  if (skipped.length > 0)
    process.stderr.write(`pmm: ${skipped.length} row(s) with a blank ${schema.target.column} left out\n`);
  const labels = dataset.labels!;
  const positives = labels.reduce((n, y) => n + y, 0);
  if (dataset.records.length < 20 || positives < 5 || dataset.records.length - positives < 5) {
    throw new CliError(
      `${options.data}: too few rows to train (${dataset.records.length} rows, ${positives} ${schema.target.positive})`,
    );
  }
  const trainOptions = {
    seed: options.seed,
    ...(options.epochs !== undefined && { epochs: options.epochs }),
    ...(options.hidden !== undefined && { hiddenUnits: options.hidden }),
  };
  const epochs = trainOptions.epochs ?? trainOptionsFor(dataset.records.length).epochs;
  const progress = options.progress === false ? null : startProgress('training', epochs);
  const artifact = await trainArtifact({
    records: dataset.records,
    labels,
    schema,
    trainingDataSha256: dataset.sha256,
    parentVersion: options.parent ?? null,
    clock: () => performance.now(),
    options: { ...trainOptions, onEpoch: (epoch, total) => progress?.update(epoch, total) },
  });
  progress?.stop();
  await mkdir(options.out, { recursive: true });
  await writeFile(path.join(options.out, 'model.onnx'), artifact.onnx);
  await writeFile(path.join(options.out, 'model.json'), `${JSON.stringify(artifact.card, null, 2)}\n`);
  return artifact.card;
}

/** A comma-separated list of column names (names may hold spaces; blanks around commas are trimmed). */
function columnList(value: string): string[] {
  return value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

function parseHidden(value: string): number[] {
  if (value.trim() === '' || value.trim() === 'none') return [];
  return value
    .split(',')
    .map((v) =>
      parseNumberOption(
        '--hidden',
        v,
        (n) => Number.isInteger(n) && n > 0 && n <= 512,
        'comma-separated layer widths in 1..512, or "none"',
      ),
    );
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a binary classifier on a labelled CSV and write model.onnx + model.json')
    .requiredOption('--data <csv>', 'labelled CSV (any table; the Telco file trains the churn demo)')
    .option('--target <column>', 'the outcome column (default for the Telco file: Churn)')
    .option('--positive <value>', 'the target value that is the positive class (inferred for 1/yes/true)')
    .option('--id-column <column>', 'a row identifier, never a feature')
    .option('--drop <columns>', 'comma-separated columns to leave out')
    .option('--categorical <columns>', 'comma-separated columns to treat as categorical')
    .option('--numerical <columns>', 'comma-separated columns to treat as numerical')
    .requiredOption('--out <dir>', 'artifact folder to write')
    .option('--seed <n>', 'seed for the split and initialisation', '0')
    .option('--epochs <n>', 'training epochs (default 40)')
    .option(
      '--hidden <widths>',
      'hidden layer widths, e.g. 16 or 32,8; "none" for logistic regression (default 16)',
    )
    .option('--format <format>', 'text or json', 'text')
    .action(
      async (opts: {
        data: string;
        out: string;
        seed: string;
        epochs?: string;
        hidden?: string;
        format: string;
        target?: string;
        positive?: string;
        idColumn?: string;
        drop?: string;
        categorical?: string;
        numerical?: string;
      }) => {
        const format = parseFormat(opts.format, ['text', 'json'] as const);
        const seed = parseNumberOption('--seed', opts.seed, Number.isInteger, 'an integer');
        const epochs =
          opts.epochs === undefined
            ? undefined
            : parseNumberOption(
                '--epochs',
                opts.epochs,
                (n) => Number.isInteger(n) && n >= 1 && n <= 10_000,
                'an integer in 1..10000',
              );
        const hidden = opts.hidden === undefined ? undefined : parseHidden(opts.hidden);
        const list = (v: string | undefined) => (v === undefined ? undefined : columnList(v));
        const left: ExcludedColumn[] = [];
        const card = await trainToFolder({
          data: opts.data,
          out: opts.out,
          seed,
          epochs,
          hidden,
          target: opts.target,
          positive: opts.positive,
          idColumn: opts.idColumn,
          drop: list(opts.drop),
          categorical: list(opts.categorical),
          numerical: list(opts.numerical),
          onExcluded: (excluded) => {
            left.push(...excluded);
            for (const e of excluded)
              process.stderr.write(`pmm: left out column "${e.column}": ${e.reason}\n`);
          },
        });
        const schema = card.schema!;
        if (format === 'json') {
          printJson({
            version: card.version,
            out: opts.out,
            target: schema.target,
            features: schema.features.map((f) => ({ name: f.name, kind: f.kind })),
            excluded: left,
            metrics: card.metrics,
            training: card.training,
          });
          return;
        }
        const m = card.metrics;
        process.stdout.write(
          [
            `model ${card.version} written to ${opts.out}`,
            `  predicts P(${schema.target.column} = ${schema.target.positive}) from ${schema.features.length} features (${schema.features.filter((f) => f.kind === 'categorical').length} categorical)`,
            `  trained on ${card.training.train_rows} rows in ${card.training.seconds.toFixed(1)} s, evaluated on ${m.rows} holdout rows`,
            `  ROC AUC ${m.roc_auc.toFixed(4)}  log loss ${m.log_loss.toFixed(4)}  accuracy ${m.accuracy.toFixed(4)}  Brier ${m.brier.toFixed(4)}`,
            `  precision ${m.precision.toFixed(4)}  recall ${m.recall.toFixed(4)} (at 0.5)`,
            '',
          ].join('\n'),
        );
      },
    );
}
