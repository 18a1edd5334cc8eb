// `pmm detect`: run a streaming drift detector (River's ADWIN, Page-Hinkley or KSWIN) over a column of a CSV.
import {
  type AnyDetector,
  createDetector,
  DETECTOR_DEFAULTS,
  type DetectorMethod,
  detectAll,
  Kswin,
} from '@pmm/core/detect';
import type { Command } from 'commander';
import { CliError } from '../util/cli-error';
import { numberColumn, readCsvTable } from '../util/csv-columns';
import { parseChoice, parseFormat } from '../util/output';

interface DetectCliOptions {
  method: string;
  input: string;
  column?: string;
  param: string[];
  format: string;
}

const METHODS = ['adwin', 'page-hinkley', 'kswin'] as const;

/** NAME=VALUE pairs checked against the method's River parameter names; numbers except `mode`. */
export function parseParams(
  method: DetectorMethod,
  pairs: readonly string[],
): Record<string, number | string | null> {
  const defaults = DETECTOR_DEFAULTS[method] as unknown as Record<string, unknown>;
  const out: Record<string, number | string | null> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--param must be NAME=VALUE (got "${pair}")`);
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (!Object.hasOwn(defaults, name))
      throw new CliError(
        `unknown parameter "${name}" for ${method} (known: ${Object.keys(defaults).join(', ')})`,
      );
    if (name === 'mode') out[name] = value;
    else {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n))
        throw new CliError(`--param ${name} must be a number (got "${value}")`);
      out[name] = n;
    }
  }
  return out;
}

function build(method: DetectorMethod, params: Record<string, number | string | null>): AnyDetector {
  try {
    return createDetector(method, params);
  } catch (error) {
    throw new CliError(`${method}: ${(error as Error).message}`);
  }
}

/** The parameters in effect, with KSWIN's drawn seed when none was given (so a run can be repeated). */
function usedParams(method: DetectorMethod, params: Record<string, unknown>, detector: AnyDetector) {
  const used: Record<string, unknown> = { ...DETECTOR_DEFAULTS[method], ...params };
  if (detector instanceof Kswin) used.seed = detector.save().seed;
  return used;
}

export async function runDetect(opts: DetectCliOptions): Promise<void> {
  const method = parseChoice('--method', opts.method, METHODS);
  const format = parseFormat(opts.format, ['text', 'json'] as const);
  const params = parseParams(method, opts.param);
  const detector = build(method, params);
  const table = await readCsvTable(opts.input, 'input file');
  let column = opts.column;
  if (column === undefined) {
    if (table.header.length !== 1)
      throw new CliError(
        `${opts.input} has ${table.header.length} columns; choose one with --column (columns: ${table.header.join(', ')})`,
      );
    column = table.header[0]!;
  }
  const values = numberColumn(table, column, opts.input);
  const detections = detectAll(detector, values);
  if (format === 'json') {
    process.stdout.write(
      `${JSON.stringify({ method, params: usedParams(method, params, detector), column, rows: values.length, detections })}\n`,
    );
    return;
  }
  const where =
    detections.length === 0
      ? 'no change'
      : `${detections.length} change${detections.length === 1 ? '' : 's'} at row index ${detections.join(', ')}`;
  process.stdout.write(`${method} over "${column}" (${values.length} values): ${where}\n`);
}

export function registerDetectCommand(program: Command): void {
  program
    .command('detect')
    .description(
      "run a streaming change detector over a CSV column (River 0.26's ADWIN, Page-Hinkley, KSWIN)",
    )
    .requiredOption('--method <name>', 'adwin, page-hinkley or kswin')
    .requiredOption('--input <csv>', 'the stream, one value per row')
    .option('--column <name>', 'the column to read (default: the only column)')
    .option(
      '--param <name=value>',
      "a detector parameter by River's name (delta, clock, max_buckets, min_window_length, grace_period, min_instances, threshold, alpha, mode, window_size, stat_size, seed); repeatable",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--format <format>', 'text or json', 'text')
    .action(runDetect);
}
