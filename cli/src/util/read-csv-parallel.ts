// Reading the two sides of `pmm drift` at once: each large file in its own worker thread (both cores busy).
import { Worker } from 'node:worker_threads';
import type { ReadCsvSide } from '@pmm/core/drift';
import { type CsvColumns, type CsvReadOptions, readCsvColumns } from '@pmm/core/table';
import { fileChunks } from './files';

/**
 * Files at least this large (both sides together) are read in worker threads; smaller ones in this thread,
 * where starting two threads would cost more than it saves. PMM_PARALLEL_READ_MIN_BYTES overrides it.
 */
export const PARALLEL_MIN_BYTES = Number(process.env.PMM_PARALLEL_READ_MIN_BYTES ?? 16 * 2 ** 20);

/** Reads one file in a worker thread; errors come back with their name (CsvError…) and message. */
export function readCsvInWorker(file: string, options: CsvReadOptions): Promise<CsvColumns> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./read-csv-worker.mjs', import.meta.url), {
      workerData: { file, options },
    });
    let settled = false;
    worker.once('message', (message: { table?: CsvColumns; error?: { name: string; message: string } }) => {
      settled = true;
      if (message.table) resolve(message.table);
      else {
        const error = new Error(message.error?.message ?? 'the CSV reader failed');
        error.name = message.error?.name ?? 'Error';
        reject(error);
      }
      void worker.terminate();
    });
    worker.once('error', (error) => {
      if (!settled) reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the CSV reader thread for ${file} stopped (exit ${code})`));
    });
  });
}

/** The reader `readDriftTables` calls for each side: worker threads when the files are large, else this thread. */
export function driftSideReader(
  files: { reference: string; current: string },
  totalBytes: number,
): ReadCsvSide {
  const parallel = totalBytes >= PARALLEL_MIN_BYTES;
  return (side, options) =>
    parallel ? readCsvInWorker(files[side], options) : readCsvColumns(fileChunks(files[side]), options);
}
