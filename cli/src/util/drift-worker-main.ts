// In a worker thread: scores the drift columns it is sent (WebAssembly kernels loaded once) and posts the results.
import { parentPort } from 'node:worker_threads';
import { type DriftOptions, type DriftTable, scoreDriftColumns } from '@pmm/core/drift';
import { loadDriftKernels } from './drift-kernels';
import type { WorkerRequest, WorkerResponse } from './drift-parallel';

const ready = loadDriftKernels();
parentPort!.postMessage({ ready: true });

parentPort!.on('message', async (request: WorkerRequest) => {
  await ready;
  let response: WorkerResponse;
  try {
    const table = (side: WorkerRequest['reference']): DriftTable => ({
      name: side.name,
      rows: side.rows,
      columns: new Map(side.columns),
    });
    const scored = scoreDriftColumns(
      table(request.reference),
      table(request.current),
      request.options as DriftOptions,
      undefined,
      new Set(request.columns),
    );
    response = { id: request.id, results: scored.map((s) => s.result) };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    response = {
      id: request.id,
      error: { name: e.name, message: e.message, column: (e as { column?: string }).column },
    };
  }
  parentPort!.postMessage(response);
});
