// `pmm data fetch`: download the Telco CSV and verify its sha256, falling back to a local copy when offline.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex, TELCO_SHA256, TELCO_URL } from '@pmm/core/data';
import type { Command } from 'commander';
import { CliError } from '../util/cli-error';
import { readInputFile } from '../util/files';
import { parseFormat, printJson } from '../util/output';
import { DEFAULT_TELCO_CSV, SHARED_TELCO_CSV } from '../util/paths';

export interface FetchResult {
  readonly path: string;
  readonly source: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly tried: string[];
}

async function download(url: string, timeoutMs: number): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function tryLocal(file: string): Promise<Uint8Array> {
  return new Uint8Array(await readInputFile(file, 'data file'));
}

/**
 * Gets verified Telco bytes: the existing `out` file if it already verifies, else the public URL, else
 * `from` (if given) or the shared copy. Every candidate is checked against the published sha256.
 */
export async function fetchTelco(options: {
  out: string;
  from?: string;
  offline?: boolean;
  timeoutMs?: number;
  /** The download address (default: the public one; `PMM_TELCO_URL` for a mirror). */
  url?: string;
}): Promise<FetchResult> {
  const url = options.url ?? process.env.PMM_TELCO_URL ?? TELCO_URL;
  const tried: string[] = [];
  const candidates: { source: string; load: () => Promise<Uint8Array> }[] = [
    { source: options.out, load: () => tryLocal(options.out) },
  ];
  if (!options.offline)
    candidates.push({ source: url, load: () => download(url, options.timeoutMs ?? 15_000) });
  if (options.from) candidates.push({ source: options.from, load: () => tryLocal(options.from!) });
  else candidates.push({ source: SHARED_TELCO_CSV, load: () => tryLocal(SHARED_TELCO_CSV) });

  for (const [i, candidate] of candidates.entries()) {
    let bytes: Uint8Array;
    try {
      bytes = await candidate.load();
    } catch (error) {
      if (i > 0) tried.push(`${candidate.source}: ${(error as Error).message}`);
      continue;
    }
    const sha = await sha256Hex(bytes);
    if (sha !== TELCO_SHA256) {
      tried.push(`${candidate.source}: sha256 ${sha} does not match the published ${TELCO_SHA256}`);
      continue;
    }
    if (i > 0) {
      await mkdir(path.dirname(path.resolve(options.out)), { recursive: true });
      await writeFile(options.out, bytes);
    }
    return {
      path: options.out,
      source: i === 0 ? 'existing file' : candidate.source,
      sha256: sha,
      bytes: bytes.length,
      tried,
    };
  }
  throw new CliError(`could not get a verified Telco CSV; tried: ${tried.join('; ')}`);
}

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('get and check the data sets pmm uses');
  data
    .command('fetch')
    .description(
      'download the IBM Telco churn CSV, verify its sha256, fall back to a local copy when offline',
    )
    .option('--out <file>', 'where to write the CSV', DEFAULT_TELCO_CSV)
    .option('--from <path>', 'a local copy to use when the download fails (default: ../shared/data/)')
    .option('--url <url>', 'download address (default: the public copy, or PMM_TELCO_URL for a mirror)')
    .option('--offline', 'do not try the network')
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts: { out: string; from?: string; url?: string; offline?: boolean; format: string }) => {
      const format = parseFormat(opts.format, ['text', 'json'] as const);
      const result = await fetchTelco(opts);
      if (format === 'json') printJson(result);
      else {
        for (const line of result.tried) process.stderr.write(`note: ${line}\n`);
        process.stdout.write(
          `${result.path}: ${result.bytes} bytes, sha256 verified (from ${result.source})\n`,
        );
      }
    });
}
