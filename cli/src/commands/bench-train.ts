// `pmm bench train`: time the default training and measure holdout ROC AUC against logistic regression on the
// same split, on the Telco data and on a generated table of another shape (100k rows, hundreds of airports).
import { inferSchema, tableToRows } from '@pmm/core/schema';
import { syntheticTable } from '@pmm/core/simulate';
import { trainArtifact } from '@pmm/core/train';
import type { Command } from 'commander';
import { CliError } from '../util/cli-error';
import { loadFeatureCsv } from '../util/dataset';
import { parseFormat, parseNumberOption } from '../util/output';
import { SHARED_TELCO_CSV } from '../util/paths';
import { startProgress } from '../util/progress';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function registerBenchTrain(bench: Command): void {
  bench
    .command('train')
    .description(
      'median wall time of training the default model, and holdout ROC AUC vs logistic regression on the same split: Telco (seeds 0-4) and a generated table',
    )
    .option('--data <csv>', 'labelled Telco CSV', SHARED_TELCO_CSV)
    .option('--runs <n>', 'timed training runs', '5')
    .option('--rows <n>', 'rows of the generated table (0: leave it out)', '100000')
    .option('--format <format>', 'text or json', 'json')
    .action(async (opts: { data: string; runs: string; rows: string; format: string }) => {
      const generatedRows = parseNumberOption(
        '--rows',
        opts.rows,
        (n) => Number.isInteger(n) && n >= 0 && n <= 2_000_000,
        'an integer in 0..2000000',
      );
      const format = parseFormat(opts.format, ['text', 'json'] as const);
      const runs = parseNumberOption(
        '--runs',
        opts.runs,
        (n) => Number.isInteger(n) && n >= 1 && n <= 50,
        'an integer in 1..50',
      );
      const data = await loadFeatureCsv(opts.data);
      if (!data.labels) throw new CliError(`${opts.data}: no Churn column`);
      const input = {
        records: data.records,
        labels: data.labels,
        trainingDataSha256: data.sha256,
        clock: () => performance.now(),
      };
      const seeds = [0, 1, 2, 3, 4];
      const progress = startProgress('bench train', runs + seeds.length * 2 + (generatedRows > 0 ? 2 : 0));
      let done = 0;
      const seconds: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await trainArtifact({ ...input, options: { seed: 0 } });
        seconds.push((performance.now() - t0) / 1000);
        progress.update(++done);
      }
      const model: number[] = [];
      const logistic: number[] = [];
      for (const seed of seeds) {
        model.push((await trainArtifact({ ...input, options: { seed } })).card.metrics.roc_auc);
        progress.update(++done);
        logistic.push(
          (await trainArtifact({ ...input, options: { seed, hiddenUnits: [] } })).card.metrics.roc_auc,
        );
        progress.update(++done);
      }
      const generated =
        generatedRows > 0 ? await benchGenerated(generatedRows, () => progress.update(++done)) : null;
      progress.stop();
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      const result = {
        bench: 'train',
        rows: data.records.length,
        runs,
        seconds_median: median(seconds),
        seconds: seconds.map((s) => Number(s.toFixed(3))),
        holdout_roc_auc: {
          seeds,
          default_model: model,
          logistic_regression: logistic,
          default_mean: mean(model),
          logistic_mean: mean(logistic),
        },
        tables: [
          {
            table: 'telco',
            rows: data.records.length,
            seconds_median: median(seconds),
            roc_auc: mean(model),
            logistic_roc_auc: mean(logistic),
            at_least_logistic: mean(model) >= mean(logistic),
          },
          ...(generated ? [generated] : []),
        ],
      };
      if (format === 'text') {
        process.stdout.write(
          `training ${result.rows} rows: median ${result.seconds_median.toFixed(2)} s over ${runs} runs\n` +
            `holdout ROC AUC (seeds 0-4): default ${result.holdout_roc_auc.default_mean.toFixed(4)}, logistic regression ${result.holdout_roc_auc.logistic_mean.toFixed(4)}\n` +
            (generated
              ? `generated table (${generated.rows} rows, ${generated.features} features): ${generated.seconds_median.toFixed(1)} s, ROC AUC ${generated.roc_auc.toFixed(4)} vs logistic regression ${generated.logistic_roc_auc.toFixed(4)} (${generated.logistic_seconds.toFixed(1)} s)\n`
              : ''),
        );
      }
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}

/**
 * The generated fraud-like table (core/src/simulate/synthetic-table.ts, seed 7): its schema inferred as
 * `pmm train` does, one training of the default model and one of logistic regression on the same split.
 */
async function benchGenerated(rows: number, step: () => void) {
  const table = syntheticTable({ rows });
  const { schema } = inferSchema(table, { target: table.target, positive: table.positive });
  const data = tableToRows(table, schema);
  if (data.issues.length > 0) throw new CliError(`generated table: ${data.issues.length} invalid rows`);
  const input = {
    records: data.records,
    labels: data.labels!,
    schema,
    trainingDataSha256: '0'.repeat(64),
    clock: () => performance.now(),
  };
  const time = async (hiddenUnits?: number[]) => {
    const t0 = performance.now();
    const artifact = await trainArtifact({
      ...input,
      options: { seed: 0, ...(hiddenUnits && { hiddenUnits }) },
    });
    step();
    return { seconds: (performance.now() - t0) / 1000, auc: artifact.card.metrics.roc_auc };
  };
  const model = await time();
  const logistic = await time([]);
  return {
    table: 'generated',
    rows: data.records.length,
    features: schema.features.length,
    categories: schema.features.reduce((n, f) => n + (f.kind === 'categorical' ? f.categories.length : 0), 0),
    seconds_median: model.seconds,
    roc_auc: model.auc,
    logistic_seconds: logistic.seconds,
    logistic_roc_auc: logistic.auc,
    at_least_logistic: model.auc >= logistic.auc,
    under_a_minute: model.seconds < 60,
  };
}
