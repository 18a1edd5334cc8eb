// `pmm drift`: compare a current CSV with a reference CSV column by column and print the drift report.
import {
  type ColumnOptions,
  DRIFT_METHODS,
  type DriftOptions,
  readDriftTables,
  renderDriftHtml,
  renderDriftText,
} from '@pmm/core/drift';
import type { Command } from 'commander';
import { CliError } from '../util/cli-error';
import { loadDriftKernels } from '../util/drift-kernels';
import { DriftThread, driftReportParallel } from '../util/drift-parallel';
import { checkInputFile, writeReport } from '../util/files';
import { parseFormat, parseNumberOption } from '../util/output';
import { driftSideReader, PARALLEL_MIN_BYTES } from '../util/read-csv-parallel';
import { runModelDrift } from './drift-model';

interface DriftCliOptions {
  reference?: string;
  current?: string;
  model?: string;
  currentProfile?: string;
  ignore?: string;
  idColumn?: string;
  columns?: string;
  categorical?: string;
  numerical?: string;
  method?: string;
  threshold?: string;
  driftShare?: string;
  correction: string;
  format: string;
  out?: string;
}

/** "a, b,,c" → ["a", "b", "c"]. */
function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Errors from core that describe bad input become one-line CLI errors. */
function isInputError(error: unknown): error is Error {
  return (
    error instanceof Error &&
    ['CsvError', 'DriftDataError', 'DriftOptionsError', 'DriftInputError'].includes(error.name)
  );
}

/** Builds the report's options from the flags: one object, per-column types from --categorical/--numerical. */
function driftOptions(opts: DriftCliOptions): DriftOptions {
  const categorical = parseList(opts.categorical) ?? [];
  const numerical = parseList(opts.numerical) ?? [];
  const both = categorical.find((c) => numerical.includes(c));
  if (both !== undefined)
    throw new CliError(`column "${both}" is given both in --categorical and --numerical`);
  if (opts.method !== undefined && !Object.hasOwn(DRIFT_METHODS, opts.method)) {
    throw new CliError(
      `unknown drift method "${opts.method}" (known: ${Object.keys(DRIFT_METHODS).join(', ')})`,
    );
  }
  const correction = opts.correction;
  if (correction !== 'none' && correction !== 'bh') {
    throw new CliError(`--correction must be none or bh (got "${correction}")`);
  }
  const columns: Record<string, ColumnOptions> = {};
  for (const c of categorical) columns[c] = { type: 'categorical' };
  for (const c of numerical) columns[c] = { type: 'numerical' };
  return {
    ...(opts.method !== undefined ? { method: opts.method } : {}),
    ...(opts.threshold !== undefined
      ? { threshold: parseNumberOption('--threshold', opts.threshold, (n) => n > 0, 'a positive number') }
      : {}),
    ...(opts.driftShare !== undefined
      ? {
          driftShare: parseNumberOption(
            '--drift-share',
            opts.driftShare,
            (n) => n > 0 && n <= 1,
            'a number in (0, 1]',
          ),
        }
      : {}),
    ...(Object.keys(columns).length > 0 ? { columns } : {}),
    correction,
  };
}

export async function runDrift(opts: DriftCliOptions): Promise<void> {
  const format = parseFormat(opts.format, ['text', 'json', 'html'] as const);
  const options = driftOptions(opts);
  if (opts.model !== undefined) {
    if (opts.reference !== undefined)
      throw new CliError("give --reference or --model, not both (--model's reference is its training data)");
    if ((opts.current === undefined) === (opts.currentProfile === undefined))
      throw new CliError('with --model, give exactly one of --current <csv> or --current-profile <json>');
    const output = await runModelDrift(
      { model: opts.model, current: opts.current, currentProfile: opts.currentProfile },
      options,
      format,
      isInputError,
    );
    await writeReport(opts.out, output);
    return;
  }
  if (opts.currentProfile !== undefined) throw new CliError('--current-profile needs --model <dir>');
  if (opts.reference === undefined) throw new CliError('missing --reference <csv> (or --model <dir>)');
  if (opts.current === undefined) throw new CliError('missing --current <csv>');
  const kernels = loadDriftKernels();
  const bytes =
    (await checkInputFile(opts.reference, 'reference file')) +
    (await checkInputFile(opts.current, 'current file'));
  let output: string;
  // Columns are scored in this thread: handing half of them to a worker thread copies them, and that copy cost
  // more than the second core saved at every size measured (`pmm bench drift`: 300k, 1M and 3M rows).
  // PMM_DRIFT_THREADS=2 splits them anyway (large files only).
  const thread =
    process.env.PMM_DRIFT_THREADS === '2' && bytes >= PARALLEL_MIN_BYTES ? new DriftThread() : undefined;
  try {
    const types = Object.fromEntries(Object.entries(options.columns ?? {}).map(([c, o]) => [c, o.type!]));
    const files = { reference: opts.reference, current: opts.current };
    const tables = await readDriftTables(driftSideReader(files, bytes), files, {
      columns: parseList(opts.columns),
      ignore: parseList(opts.ignore),
      idColumns: parseList(opts.idColumn),
      types,
    });
    await kernels;
    const report = await driftReportParallel(tables.reference, tables.current, options, thread);
    const context = {
      reference: opts.reference,
      current: opts.current,
      generatedAt: new Date().toISOString(),
    };
    if (format === 'json') {
      output = `${JSON.stringify({ generated_at: context.generatedAt, reference_file: opts.reference, current_file: opts.current, ...report }, null, 2)}\n`;
    } else if (format === 'html') {
      output = renderDriftHtml(report, context);
    } else {
      output = renderDriftText(report, context);
    }
  } catch (error) {
    if (isInputError(error)) throw new CliError(error.message);
    throw error;
  } finally {
    await thread?.close();
  }
  await writeReport(opts.out, output);
}

export function registerDriftCommand(program: Command): void {
  program
    .command('drift')
    .description('compare a current CSV with a reference CSV column by column (Evidently-style data drift)')
    .option('--reference <csv>', 'reference data (e.g. the training set)')
    .option('--current <csv>', 'current data (e.g. recent production inputs)')
    .option(
      '--model <dir>',
      "take the reference and column kinds from a model's artifact instead of --reference",
    )
    .option(
      '--current-profile <json>',
      'with --model: a profile (pmm profile build/merge) instead of --current rows',
    )
    .option('--ignore <columns>', 'comma-separated columns to leave out (e.g. an id or the label)')
    .option(
      '--id-column <columns>',
      'comma-separated id columns to leave out (text columns whose values are all distinct are left out anyway)',
    )
    .option('--columns <columns>', 'comma-separated columns to compare (default: all)')
    .option('--categorical <columns>', 'comma-separated columns to treat as categorical')
    .option(
      '--numerical <columns>',
      'comma-separated columns to treat as numerical (every value must be a number)',
    )
    .option(
      '--method <name>',
      `drift method for every column: ${Object.keys(DRIFT_METHODS).join(', ')} (default: per column, as Evidently)`,
    )
    .option('--threshold <x>', "threshold for every column (default: the method's)")
    .option('--drift-share <x>', 'share of drifted columns at which the data set counts as drifted', '0.5')
    .option('--correction <mode>', 'none, or bh for Benjamini-Hochberg on the p-values', 'none')
    .option('--format <format>', 'text, json or html', 'text')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .action(runDrift);
}
