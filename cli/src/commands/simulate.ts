// `pmm simulate`: realistic predict traffic to an edge, with drift injected and delayed feedback labels.

import { existsSync } from 'node:fs';
import { mulberry32 } from '@pmm/core/model';
import { createTraffic, DRIFT_DESCRIPTION, DRIFT_MODES, type DriftMode } from '@pmm/core/simulate';
import type { Command } from 'commander';
import { CliError } from '../util/cli-error';
import { describeIssues, loadFeatureCsv } from '../util/dataset';
import { parseChoice, parseFormat, parseNumberOption, printJson } from '../util/output';
import { DEFAULT_TELCO_CSV } from '../util/paths';
import { startProgress } from '../util/progress';
import { fetchTelco } from './data';

export interface SimulateOptions {
  readonly edge: string;
  readonly rows: number;
  /** Requests per second; 0 = as fast as `concurrency` allows. */
  readonly rate: number;
  readonly drift: DriftMode;
  readonly labelRate: number;
  readonly labelDelaySeconds: number;
  readonly seed: number;
  readonly concurrency: number;
  readonly data: string;
  readonly timeoutMs?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface SimulateSummary {
  readonly edge: string;
  readonly drift: DriftMode;
  readonly sent: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly feedback_sent: number;
  readonly feedback_failed: number;
  readonly latency_ms: { readonly p50: number | null; readonly p99: number | null };
  readonly seconds: number;
  readonly prediction_ids: string[];
  readonly model_versions: Record<string, number>;
  readonly errors: Record<string, number>;
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function postJson(
  url: string,
  body: unknown,
  timeoutMs: number,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json };
}

/** Sends the traffic and the feedback; resolves when every request and scheduled label has been sent. */
export async function simulate(options: SimulateOptions): Promise<SimulateSummary> {
  const dataset = await loadFeatureCsv(options.data);
  if (!dataset.labels) throw new CliError(`${options.data}: no Churn column to take outcomes from`);
  if (dataset.records.length === 0)
    throw new CliError(`${options.data}: no valid rows (${describeIssues(dataset.issues)})`);
  const traffic = createTraffic(
    { records: dataset.records, labels: dataset.labels },
    { drift: options.drift, total: options.rows, seed: options.seed },
  );
  const chooseLabel = mulberry32(options.seed ^ 0x5eed);
  const base = options.edge.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const latencies: number[] = [];
  const ids: string[] = [];
  const versions: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const feedbackJobs: Promise<void>[] = [];
  let succeeded = 0;
  let failed = 0;
  let feedbackSent = 0;
  let feedbackFailed = 0;
  let next = 0;
  let done = 0;
  const started = performance.now();
  const noteError = (key: string) => {
    errors[key] = (errors[key] ?? 0) + 1;
  };

  const sendFeedback = async (predictionId: string, outcome: 0 | 1) => {
    await sleep(options.labelDelaySeconds * 1000);
    try {
      const r = await postJson(
        `${base}/api/v1/feedback`,
        { prediction_id: predictionId, outcome },
        timeoutMs,
      );
      if (r.status >= 200 && r.status < 300) feedbackSent++;
      else {
        feedbackFailed++;
        noteError(`feedback HTTP ${r.status}`);
      }
    } catch (error) {
      feedbackFailed++;
      noteError(`feedback ${(error as Error).name}`);
    }
  };

  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= options.rows) return;
      if (options.rate > 0) {
        const due = started + (i * 1000) / options.rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      const row = traffic(i);
      const t0 = performance.now();
      try {
        const r = await postJson(`${base}/api/v1/predict`, { features: row.features }, timeoutMs);
        const body = r.json as { prediction_id?: string; model_version?: string };
        if (r.status === 200 && typeof body.prediction_id === 'string') {
          latencies.push(performance.now() - t0);
          succeeded++;
          ids.push(body.prediction_id);
          if (body.model_version) versions[body.model_version] = (versions[body.model_version] ?? 0) + 1;
          if (chooseLabel() < options.labelRate)
            feedbackJobs.push(sendFeedback(body.prediction_id, row.outcome));
        } else {
          failed++;
          noteError(`HTTP ${r.status}`);
        }
      } catch (error) {
        failed++;
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        noteError(cause ?? (error as Error).name);
      }
      options.onProgress?.(++done, options.rows);
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, options.rows)) }, worker));
  await Promise.all(feedbackJobs);
  latencies.sort((a, b) => a - b);
  return {
    edge: base,
    drift: options.drift,
    sent: options.rows,
    succeeded,
    failed,
    feedback_sent: feedbackSent,
    feedback_failed: feedbackFailed,
    latency_ms: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) },
    seconds: (performance.now() - started) / 1000,
    prediction_ids: ids,
    model_versions: versions,
    errors,
  };
}

function parseEdgeUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`--edge must be an http(s) URL (got "${value}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`--edge must be an http(s) URL (got "${value}")`);
  return value;
}

/** The data step's file (what `npm start` and `pmm data fetch` write), running the data step when it is missing. */
async function defaultData(): Promise<string> {
  if (existsSync(DEFAULT_TELCO_CSV)) return DEFAULT_TELCO_CSV;
  process.stderr.write(`${DEFAULT_TELCO_CSV} is missing: running the data step (pmm data fetch) first\n`);
  const fetched = await fetchTelco({ out: DEFAULT_TELCO_CSV });
  return fetched.path;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      `send realistic predict traffic (Telco customers) to an edge, with optional drift and feedback labels`,
    )
    .requiredOption('--edge <url>', 'the edge API base URL, e.g. http://127.0.0.1:8787')
    .option('--rows <n>', 'predict requests to send', '1000')
    .option('--rate <r>', 'requests per second (0 = as fast as --concurrency allows)', '50')
    .option('--drift <mode>', `none, gradual or sudden — ${DRIFT_DESCRIPTION}`, 'none')
    .option('--label-rate <p>', 'share of predictions that later get their true outcome as feedback', '0')
    .option('--label-delay <s>', 'seconds between a prediction and its feedback', '0')
    .option('--seed <n>', 'seed for sampling customers and labels', '1')
    .option('--concurrency <n>', 'requests in flight at once', '8')
    .option(
      '--data <csv>',
      `source customers (labelled Telco CSV; default: ${DEFAULT_TELCO_CSV}, the data step's file, fetched first if missing)`,
    )
    .option('--format <format>', 'text or json (json includes the prediction ids)', 'text')
    .action(async (opts: Record<string, string>) => {
      const format = parseFormat(opts.format!, ['text', 'json'] as const);
      const options: SimulateOptions = {
        edge: parseEdgeUrl(opts.edge!),
        rows: parseNumberOption(
          '--rows',
          opts.rows!,
          (n) => Number.isInteger(n) && n >= 1 && n <= 10_000_000,
          'an integer in 1..10000000',
        ),
        rate: parseNumberOption('--rate', opts.rate!, (n) => n >= 0 && n <= 100_000, 'a number in 0..100000'),
        drift: parseChoice('--drift', opts.drift!, DRIFT_MODES),
        labelRate: parseNumberOption(
          '--label-rate',
          opts.labelRate!,
          (n) => n >= 0 && n <= 1,
          'a share in 0..1',
        ),
        labelDelaySeconds: parseNumberOption(
          '--label-delay',
          opts.labelDelay!,
          (n) => n >= 0 && n <= 86_400,
          'seconds in 0..86400',
        ),
        seed: parseNumberOption('--seed', opts.seed!, Number.isInteger, 'an integer'),
        concurrency: parseNumberOption(
          '--concurrency',
          opts.concurrency!,
          (n) => Number.isInteger(n) && n >= 1 && n <= 256,
          'an integer in 1..256',
        ),
        data: opts.data ?? (await defaultData()),
      };
      const progress = startProgress('simulate', options.rows);
      const summary = await simulate({ ...options, onProgress: (d) => progress.update(d) });
      progress.stop();
      if (format === 'json') printJson(summary);
      else {
        const l = summary.latency_ms;
        process.stdout.write(
          `sent ${summary.sent} predict requests to ${summary.edge} (${summary.drift} drift) in ${summary.seconds.toFixed(1)} s: ` +
            `${summary.succeeded} ok, ${summary.failed} failed; feedback ${summary.feedback_sent} sent, ${summary.feedback_failed} failed\n` +
            `latency p50 ${l.p50?.toFixed(1) ?? '-'} ms, p99 ${l.p99?.toFixed(1) ?? '-'} ms; model versions ${JSON.stringify(summary.model_versions)}\n`,
        );
        if (Object.keys(summary.errors).length > 0)
          process.stdout.write(`errors: ${JSON.stringify(summary.errors)}\n`);
      }
      if (summary.succeeded === 0) {
        throw new CliError(
          `no request succeeded against ${summary.edge} (${JSON.stringify(summary.errors)})`,
        );
      }
    });
}
