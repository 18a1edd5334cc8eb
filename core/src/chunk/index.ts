// @pmm/core/chunk: NannyML's chunkers over row ranges (by size, by number of chunks, by calendar period).

export {
  type PeriodChunking,
  type PeriodUnit,
  parsePeriod,
  parseTimestamp,
  periodChunks,
} from './period-chunks';
export {
  type Chunk,
  ChunkError,
  countChunks,
  defaultChunks,
  type Incomplete,
  sizeChunks,
} from './size-chunks';
