// `pmm bench train`: time the default training on the Telco data and measure holdout quality across seeds.
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
      'median wall time of training the default model, and holdout ROC AUC over seeds 0-4 vs logistic regression',
    )
    .option('--data <csv>', 'labelled Telco CSV', SHARED_TELCO_CSV)
    .option('--runs <n>', 'timed training runs', '5')
    .option('--format <format>', 'text or json', 'json')
    .action(async (opts: { data: string; runs: string; format: string }) => {
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
      const progress = startProgress('bench train', runs + seeds.length * 2);
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
      };
      if (format === 'text') {
        process.stdout.write(
          `training ${result.rows} rows: median ${result.seconds_median.toFixed(2)} s over ${runs} runs\n` +
            `holdout ROC AUC (seeds 0-4): default ${result.holdout_roc_auc.default_mean.toFixed(4)}, logistic regression ${result.holdout_roc_auc.logistic_mean.toFixed(4)}\n`,
        );
      }
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}
