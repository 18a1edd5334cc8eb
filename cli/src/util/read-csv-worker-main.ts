// In a worker thread: reads one CSV file into typed columns and posts them back, the arrays transferred, not copied.
import { parentPort, workerData } from 'node:worker_threads';
import { type CsvReadOptions, readCsvColumns } from '@pmm/core/table';
import { fileChunks } from './files';

const { file, options } = workerData as { file: string; options: CsvReadOptions };

try {
  const table = await readCsvColumns(fileChunks(file), options);
  const transfer: ArrayBuffer[] = [];
  for (const column of table.columns.values()) {
    if (column.type === 'numerical') transfer.push(column.values.buffer as ArrayBuffer);
    else if (column.type === 'categorical') transfer.push(column.codes.buffer as ArrayBuffer);
  }
  parentPort!.postMessage({ table }, transfer);
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  parentPort!.postMessage({ error: { name: e.name, message: e.message } });
}
