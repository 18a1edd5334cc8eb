// The chunking flags NannyML-style commands share (--chunk-size, --chunk-number, --chunk-period with --timestamp):
// parsed once, then turned into chunks of a data set's rows (after sorting by timestamp when one is given).
import {
  type Chunk,
  countChunks,
  defaultChunks,
  parsePeriod,
  parseTimestamp,
  periodChunks,
  sizeChunks,
} from '@pmm/core/chunk';
import { CliError } from './cli-error';
import { textColumn } from './csv-columns';
import { parseNumberOption } from './output';

export interface ChunkingFlags {
  chunkSize?: string;
  chunkNumber?: string;
  chunkPeriod?: string;
  timestamp?: string;
}

export type Chunking =
  | { kind: 'size'; size: number }
  | { kind: 'number'; count: number }
  | { kind: 'period'; period: string }
  | { kind: 'default' };

export function parseChunking(opts: ChunkingFlags): Chunking {
  const given = [opts.chunkSize, opts.chunkNumber, opts.chunkPeriod].filter((v) => v !== undefined).length;
  if (given > 1) throw new CliError('give at most one of --chunk-size, --chunk-number, --chunk-period');
  const positiveInt = (name: string, v: string) =>
    parseNumberOption(name, v, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
  if (opts.chunkSize !== undefined)
    return { kind: 'size', size: positiveInt('--chunk-size', opts.chunkSize) };
  if (opts.chunkNumber !== undefined)
    return { kind: 'number', count: positiveInt('--chunk-number', opts.chunkNumber) };
  if (opts.chunkPeriod !== undefined) {
    if (opts.timestamp === undefined) throw new CliError('--chunk-period needs --timestamp <column>');
    try {
      parsePeriod(opts.chunkPeriod);
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    return { kind: 'period', period: opts.chunkPeriod };
  }
  return { kind: 'default' };
}

/** A timestamp column as epoch milliseconds; a cell that is not a date is an error naming its row. */
export function readTimestamps(
  table: Parameters<typeof textColumn>[0],
  column: string,
  file: string,
): number[] {
  return textColumn(table, column, file).map((cell, i) => {
    const t = parseTimestamp(cell);
    if (Number.isNaN(t))
      throw new CliError(`${file}: column "${column}" row ${i + 2} is "${cell}", not a date`);
    return t;
  });
}

/** Row order sorted by timestamp (stable, as the rows' chunking order). */
export function timestampOrder(timestamps: readonly number[]): Uint32Array {
  return Uint32Array.from(timestamps.keys()).sort((a, b) => timestamps[a]! - timestamps[b]! || a - b);
}

/**
 * Chunks of `rows` rows; `sorted` are the rows' timestamps in chunking order, when there are any (they date the
 * chunks, and period chunking needs them). Too few rows for one chunk is an error naming `what`.
 */
export function chunkRows(
  chunking: Chunking,
  rows: number,
  what: string,
  sorted: readonly number[] | null,
): Chunk[] {
  let chunks: Chunk[];
  try {
    if (chunking.kind === 'period') {
      if (!sorted) throw new CliError(`${what}: --chunk-period needs a timestamp column`);
      chunks = periodChunks(sorted, parsePeriod(chunking.period)).chunks;
    } else
      chunks =
        chunking.kind === 'size'
          ? sizeChunks(rows, chunking.size)
          : chunking.kind === 'number'
            ? countChunks(rows, chunking.count)
            : defaultChunks(rows);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${what}: ${(error as Error).message}`);
  }
  if (chunks.length === 0) throw new CliError(`${what}: too few rows for a chunk (${rows} rows)`);
  if (sorted && chunking.kind !== 'period')
    chunks = chunks.map((c) => ({
      ...c,
      start_date: new Date(sorted[c.start_index]!).toISOString(),
      end_date: new Date(sorted[c.end_index]!).toISOString(),
    }));
  return chunks;
}
