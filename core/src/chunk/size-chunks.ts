// NannyML 0.13's row-count chunkers (nannyml/chunk.py: SizeBasedChunker, CountBasedChunker, DefaultChunker) over
// row ranges, so any per-chunk computation (CBPE, drift) can reuse them. Code and docs disagree: the
// SizeBasedChunker docstring says leftovers are dropped (and "defaults to 'append'"); the code's default is
// incomplete='keep', a last smaller chunk — followed here.

/** A contiguous range of rows; indices are inclusive, as NannyML's start_index/end_index. */
export interface Chunk {
  readonly key: string;
  readonly start_index: number;
  readonly end_index: number;
  /** ISO-8601 bounds of the chunk's period (period chunks) or of its first and last timestamp. */
  readonly start_date?: string;
  readonly end_date?: string;
}

/** What to do with the rows left over after the last full chunk. */
export type Incomplete = 'keep' | 'drop' | 'append';

export class ChunkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkError';
  }
}

function rangeChunk(start: number, length: number): Chunk {
  return { key: `[${start}:${start + length - 1}]`, start_index: start, end_index: start + length - 1 };
}

/**
 * Chunks of `size` consecutive rows (SizeBasedChunker). `sizeChunks(7, 3)` → keys [0:2], [3:5], [6:6].
 */
export function sizeChunks(rows: number, size: number, incomplete: Incomplete = 'keep'): Chunk[] {
  if (!Number.isInteger(size) || size <= 0)
    throw new ChunkError(`chunk size must be a positive integer, got ${size}`);
  const chunks: Chunk[] = [];
  for (let i = 0; i + size - 1 < rows; i += size) chunks.push(rangeChunk(i, size));
  const rest = rows % size;
  if (rest !== 0) {
    const tail = rangeChunk(size * Math.floor(rows / size), rest);
    if (incomplete === 'keep') chunks.push(tail);
    else if (incomplete === 'append') {
      const last = chunks.pop();
      if (!last) chunks.push(tail);
      else
        chunks.push({
          key: `[${last.start_index}:${tail.end_index}]`,
          start_index: last.start_index,
          end_index: tail.end_index,
        });
    }
  }
  return chunks;
}

/**
 * About `count` chunks (CountBasedChunker): chunks of floor(rows / count) rows, then as sizeChunks.
 * `countChunks(25, 10)` gives 12 chunks of 2 and one of 1, exactly as NannyML.
 */
export function countChunks(rows: number, count: number, incomplete: Incomplete = 'keep'): Chunk[] {
  if (!Number.isInteger(count) || count <= 0)
    throw new ChunkError(`chunk number must be a positive integer, got ${count}`);
  if (rows === 0) return [];
  const size = Math.floor(rows / count);
  if (size === 0) throw new ChunkError(`cannot split ${rows} rows into ${count} chunks`);
  return sizeChunks(rows, size, incomplete);
}

/** NannyML's DefaultChunker: countChunks(rows, 10) with incomplete='keep'. */
export function defaultChunks(rows: number): Chunk[] {
  return countChunks(rows, 10);
}
