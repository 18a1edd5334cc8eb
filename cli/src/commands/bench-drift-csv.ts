// `pmm bench drift-csv`: `pmm drift` end to end on two generated Telco-shaped CSV files, optionally against pandas + scipy.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../util/cli-error';
import { parseNumberOption } from '../util/output';
import { REPO_ROOT } from '../util/paths';
import { writeTelcoLikeCsv } from './telco-like-csv';

const TIME = '/usr/bin/time';
const PYTHON = '/usr/bin/python3';

interface Measured {
  seconds: number;
  peak_rss_mb: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time: wall seconds and peak resident set of the process. */
function measure(command: string, args: readonly string[]): Measured {
  if (!existsSync(TIME)) throw new CliError(`${TIME} is needed to measure peak RSS (apt-get install time)`);
  const result = spawnSync(TIME, ['-f', 'pmm-bench-time %e %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new CliError(`cannot run ${command}: ${result.error.message}`);
  const line = result.stderr
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('pmm-bench-time '));
  if (result.status !== 0 || !line) {
    const last = result.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new CliError(`${path.basename(command)} ${args[0] ?? ''} failed (exit ${result.status}): ${last}`);
  }
  const [, seconds, kb] = line.split(' ');
  return {
    seconds: Number(seconds),
    peak_rss_mb: Math.round(Number(kb) / 102.4) / 10,
    stdout: result.stdout,
  };
}

export function registerBenchDriftCsv(bench: Command): void {
  bench
    .command('drift-csv')
    .description(
      '`pmm drift` as a separate process on two generated Telco-shaped CSV files of N rows each: wall time and peak RSS',
    )
    .option('--rows <n>', 'rows in each file', '3000000')
    .option(
      '--compare',
      `also run scripts/bench_drift_csv_pandas.py (${PYTHON}, pandas, scipy) on the same files`,
    )
    .option(
      '--dir <folder>',
      'where to write the files (default: a new temporary folder, removed afterwards)',
    )
    .action((opts: { rows: string; compare?: boolean; dir?: string }) => {
      const rows = parseNumberOption(
        '--rows',
        opts.rows,
        (n) => Number.isInteger(n) && n >= 10 && n <= 100_000_000,
        'an integer in 10..100000000',
      );
      const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'pmm-bench-drift-csv-'));
      try {
        const reference = path.join(dir, `reference-${rows}.csv`);
        const current = path.join(dir, `current-${rows}.csv`);
        if (!existsSync(reference)) writeTelcoLikeCsv(reference, rows, 1, 0);
        if (!existsSync(current)) writeTelcoLikeCsv(current, rows, 2, 1);
        const out = path.join(dir, 'report.json');
        const pmm = measure(process.execPath, [
          path.join(REPO_ROOT, 'cli/bin/pmm.js'),
          'drift',
          '--reference',
          reference,
          '--current',
          current,
          '--format',
          'json',
          '--out',
          out,
        ]);
        const result: Record<string, number | string> = {
          rows,
          file_mb: Math.round((statSync(reference).size + statSync(current).size) / 2 ** 20),
          seconds: pmm.seconds,
          peak_rss_mb: pmm.peak_rss_mb,
        };
        if (opts.compare) {
          const script = path.join(REPO_ROOT, 'scripts', 'bench_drift_csv_pandas.py');
          const py = measure(PYTHON, [script, reference, current]);
          result.pandas_seconds = py.seconds;
          result.pandas_peak_rss_mb = py.peak_rss_mb;
          result.speedup = Math.round((py.seconds / pmm.seconds) * 100) / 100;
          result.rss_ratio = Math.round((py.peak_rss_mb / pmm.peak_rss_mb) * 100) / 100;
        }
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } finally {
        if (!opts.dir) rmSync(dir, { recursive: true, force: true });
      }
    });
}
