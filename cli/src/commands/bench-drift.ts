// `pmm bench drift`: time the default drift report on generated column-wise data, optionally against numpy/scipy.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { type DriftColumn, type DriftTable, driftReport } from '@pmm/core/drift';
import { mulberry32 } from '@pmm/core/model';
import type { Command } from 'commander';
import { CliError } from '../util/cli-error';
import { loadDriftKernels } from '../util/drift-kernels';
import { DriftThread, driftReportParallel } from '../util/drift-parallel';
import { parseFormat, parseNumberOption } from '../util/output';
import { REPO_ROOT } from '../util/paths';
import { startProgress } from '../util/progress';

const NUMERICAL = 3;
const CATEGORICAL = 16;
const LEVELS = ['a', 'b', 'c', 'd'];

/** mulberry32 (core's seeded generator). */
const uniformSource = mulberry32;

/** Normal(mean, sd) samples by Box-Muller into a typed array; `missing` share set to NaN. */
function normals(n: number, mean: number, sd: number, missing: number, u: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const t = 2 * Math.PI * u();
    out[i] = mean + sd * r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = mean + sd * r * Math.sin(t);
  }
  if (missing > 0) for (let i = 0; i < n; i++) if (u() < missing) out[i] = Number.NaN;
  return out;
}

function uniforms(n: number, lo: number, hi: number, u: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * u();
  return out;
}

/** Codes drawn from `probs`; `missing` share set to -1. */
function categorical(n: number, probs: readonly number[], missing: number, u: () => number): Int32Array {
  const cumulative = Float64Array.from(probs);
  for (let i = 1; i < cumulative.length; i++) cumulative[i] = cumulative[i]! + cumulative[i - 1]!;
  const out = new Int32Array(n);
  const last = probs.length - 1;
  for (let i = 0; i < n; i++) {
    if (missing > 0 && u() < missing) {
      out[i] = -1;
      continue;
    }
    const x = u();
    let k = 0;
    while (k < last && x >= cumulative[k]!) k++;
    out[i] = k;
  }
  return out;
}

/**
 * The benchmark data (same distributions as scripts/bench_drift_scipy.py). Numerical: num_0 N(0,1) → N(0.3,1);
 * num_1 N(50,10) → N(50,13), 1% missing; num_2 U(0,100) → U(10,110). Categorical cat_j: 2 + j mod 3 levels,
 * uniform in reference; in current the first level gains 0.05·(j mod 5) taken evenly from the others; cat_0 has
 * 1% missing.
 */
export function generateBenchTables(rows: number, seed = 1): { reference: DriftTable; current: DriftTable } {
  const u = uniformSource(seed);
  const ref = new Map<string, DriftColumn>();
  const cur = new Map<string, DriftColumn>();
  ref.set('num_0', { type: 'numerical', values: normals(rows, 0, 1, 0, u) });
  cur.set('num_0', { type: 'numerical', values: normals(rows, 0.3, 1, 0, u) });
  ref.set('num_1', { type: 'numerical', values: normals(rows, 50, 10, 0.01, u) });
  cur.set('num_1', { type: 'numerical', values: normals(rows, 50, 13, 0.01, u) });
  ref.set('num_2', { type: 'numerical', values: uniforms(rows, 0, 100, u) });
  cur.set('num_2', { type: 'numerical', values: uniforms(rows, 10, 110, u) });
  for (let j = 0; j < CATEGORICAL; j++) {
    const levels = 2 + (j % 3);
    const categories = LEVELS.slice(0, levels);
    const base = new Array<number>(levels).fill(1 / levels);
    const shift = 0.05 * (j % 5);
    const shifted = base.map((p, k) => (k === 0 ? p + shift : p - shift / (levels - 1)));
    const missing = j === 0 ? 0.01 : 0;
    ref.set(`cat_${j}`, { type: 'categorical', codes: categorical(rows, base, missing, u), categories });
    cur.set(`cat_${j}`, { type: 'categorical', codes: categorical(rows, shifted, missing, u), categories });
  }
  return {
    reference: { name: 'reference', rows, columns: ref },
    current: { name: 'current', rows, columns: cur },
  };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs scripts/bench_drift_scipy.py and returns its median seconds. */
function scipySeconds(rows: number, runs: number): number {
  const script = path.join(REPO_ROOT, 'scripts', 'bench_drift_scipy.py');
  const result = spawnSync('python3', [script, '--rows', String(rows), '--runs', String(runs)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.error) throw new CliError(`cannot run python3 for --compare: ${result.error.message}`);
  if (result.status !== 0) {
    const last = result.stderr.trim().split('\n').pop() ?? '';
    throw new CliError(`${script} failed (exit ${result.status}): ${last}`);
  }
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as { seconds: number };
    if (typeof parsed.seconds !== 'number') throw new Error('no "seconds"');
    return parsed.seconds;
  } catch (error) {
    throw new CliError(`${script} printed no JSON result (${(error as Error).message}): ${line}`);
  }
}

const round = (x: number, digits = 4): number => Number(x.toFixed(digits));

export function registerBenchDrift(bench: Command): void {
  bench
    .command('drift')
    .description(
      'median time of the default drift report on N generated reference and N current rows (3 numerical, 16 categorical columns)',
    )
    .option('--rows <n>', 'rows on each side', '1000000')
    .option('--runs <n>', 'timed runs (the median is reported)', '5')
    .option(
      '--compare',
      'also run scripts/bench_drift_scipy.py (python3, numpy, scipy) and report the speedup',
    )
    .option('--format <format>', 'text or json', 'text')
    .option('--no-threads', 'skip the two-thread measurement beside the one-thread one')
    .option('--no-wasm', 'run the TypeScript kernels only (to compare with the WebAssembly ones)')
    .action(
      async (opts: {
        rows: string;
        runs: string;
        compare?: boolean;
        format: string;
        wasm: boolean;
        threads: boolean;
      }) => {
        const format = parseFormat(opts.format, ['text', 'json'] as const);
        const rows = parseNumberOption(
          '--rows',
          opts.rows,
          (n) => Number.isInteger(n) && n >= 10 && n <= 50_000_000,
          'an integer in 10..50000000',
        );
        const runs = parseNumberOption(
          '--runs',
          opts.runs,
          (n) => Number.isInteger(n) && n >= 1 && n <= 100,
          'an integer in 1..100',
        );
        const wasm = opts.wasm ? await loadDriftKernels() : false;
        const { reference, current } = generateBenchTables(rows);
        // The report as `pmm drift` makes it (every column in this thread), and beside it the columns split between
        // this thread and a worker thread (started once, as a long-lived process keeps it).
        const thread = opts.threads ? new DriftThread() : undefined;
        await thread?.ready();
        const single = driftReport(reference, current); // warm-up: let the JIT compile the hot loops before timing
        const parallel = await driftReportParallel(reference, current, {}, thread);
        if (JSON.stringify(parallel) !== JSON.stringify(single))
          throw new CliError('the two-thread report differs from the one-thread report');
        const progress = startProgress('bench drift', 2 * runs);
        const seconds: number[] = [];
        const oneThread: number[] = [];
        let drifted = 0;
        for (let i = 0; i < runs; i++) {
          let t0 = performance.now();
          const report = await driftReportParallel(reference, current, {}, thread);
          seconds.push((performance.now() - t0) / 1000);
          drifted = report.number_of_drifted_columns;
          t0 = performance.now();
          driftReport(reference, current);
          oneThread.push((performance.now() - t0) / 1000);
          progress.update(2 * i + 2);
        }
        progress.stop();
        await thread?.close();
        const result: Record<string, number | string> = {
          kernels: wasm ? 'wasm' : 'ts',
          rows,
          columns: NUMERICAL + CATEGORICAL,
          seconds: round(median(oneThread)),
          ...(thread ? { seconds_two_threads: round(median(seconds)) } : {}),
          peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
          drifted_columns: drifted,
        };
        if (opts.compare) {
          const scipy = scipySeconds(rows, runs);
          result.scipy_seconds = round(scipy);
          result.speedup = round(scipy / median(oneThread), 2);
          if (thread) result.speedup_two_threads = round(scipy / median(seconds), 2);
        }
        if (format === 'text') {
          process.stdout.write(
            `drift report on ${rows.toLocaleString('en-US')} + ${rows.toLocaleString('en-US')} rows, ${result.columns} columns: ` +
              `median ${median(oneThread).toFixed(3)} s over ${runs} runs, peak RSS ${result.peak_rss_mb} MB\n`,
          );
          if (opts.compare) {
            process.stdout.write(`numpy/scipy: ${result.scipy_seconds} s → ${result.speedup}× faster\n`);
          }
        }
        process.stdout.write(`${JSON.stringify(result)}\n`);
      },
    );
}
