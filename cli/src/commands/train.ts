// `pmm train`: train the churn model on a labelled CSV and write model.onnx + model.json.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { trainArtifact } from '@pmm/core/train';
import type { Command } from 'commander';
import { CliError } from '../util/cli-error';
import { describeIssues, loadFeatureCsv } from '../util/dataset';
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
}

/** Trains and writes an artifact folder; returns the model card. Shared by `pmm train` and `pmm start`. */
export async function trainToFolder(options: TrainCommandOptions) {
  const dataset = await loadFeatureCsv(options.data);
  if (!dataset.labels)
    throw new CliError(`${options.data}: no Churn column, so there is nothing to learn from`);
  if (dataset.issues.length > 0) {
    throw new CliError(
      `${options.data}: ${dataset.issues.length} invalid row(s): ${describeIssues(dataset.issues)}`,
    );
  }
  const positives = dataset.labels.reduce((n, y) => n + y, 0);
  if (dataset.records.length < 20 || positives < 5 || dataset.records.length - positives < 5) {
    throw new CliError(
      `${options.data}: too few rows to train (${dataset.records.length} rows, ${positives} churned)`,
    );
  }
  const trainOptions = {
    seed: options.seed,
    ...(options.epochs !== undefined && { epochs: options.epochs }),
    ...(options.hidden !== undefined && { hiddenUnits: options.hidden }),
  };
  const progress = options.progress === false ? null : startProgress('training', trainOptions.epochs ?? 40);
  const artifact = await trainArtifact({
    records: dataset.records,
    labels: dataset.labels,
    trainingDataSha256: dataset.sha256,
    parentVersion: options.parent ?? null,
    clock: () => performance.now(),
    options: { ...trainOptions, onEpoch: (epoch, epochs) => progress?.update(epoch, epochs) },
  });
  progress?.stop();
  await mkdir(options.out, { recursive: true });
  await writeFile(path.join(options.out, 'model.onnx'), artifact.onnx);
  await writeFile(path.join(options.out, 'model.json'), `${JSON.stringify(artifact.card, null, 2)}\n`);
  return artifact.card;
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
    .description('train the churn model on a labelled CSV and write model.onnx + model.json')
    .requiredOption(
      '--data <csv>',
      'labelled CSV (the Telco file, or the 19 features in snake_case plus Churn)',
    )
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
        const card = await trainToFolder({ data: opts.data, out: opts.out, seed, epochs, hidden });
        if (format === 'json') {
          printJson({ version: card.version, out: opts.out, metrics: card.metrics, training: card.training });
          return;
        }
        const m = card.metrics;
        process.stdout.write(
          [
            `model ${card.version} written to ${opts.out}`,
            `  trained on ${card.training.train_rows} rows in ${card.training.seconds.toFixed(1)} s, evaluated on ${m.rows} holdout rows`,
            `  ROC AUC ${m.roc_auc.toFixed(4)}  log loss ${m.log_loss.toFixed(4)}  accuracy ${m.accuracy.toFixed(4)}  Brier ${m.brier.toFixed(4)}`,
            `  precision ${m.precision.toFixed(4)}  recall ${m.recall.toFixed(4)} (at 0.5)`,
            '',
          ].join('\n'),
        );
      },
    );
}
