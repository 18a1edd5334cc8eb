// Runs a retraining job in a worker thread (TypeScript loaded through tsx), so training never blocks the API.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RetrainJobInput, RetrainJobResult } from './job';

const WORKER_URL = new URL('./worker.ts', import.meta.url);
/** tsx's loader, resolved from here (not from the working directory) so the worker can load TypeScript. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface WorkerJob {
  readonly result: Promise<RetrainJobResult>;
  /** Stops the worker; `result` rejects with `reason`. */
  cancel(reason: string): Promise<void>;
}

export function startWorkerJob(input: RetrainJobInput): WorkerJob {
  const worker = new Worker(WORKER_URL, {
    workerData: input,
    // tsx in the worker: needed under vitest and plain node; harmless when the server already runs under tsx.
    execArgv: ['--import', TSX_LOADER],
    stdout: false,
    stderr: false,
  });
  let cancelled: string | null = null;
  const result = new Promise<RetrainJobResult>((resolve, reject) => {
    let settled = false;
    worker.once(
      'message',
      (message: { ok: true; result: RetrainJobResult } | { ok: false; error: string }) => {
        settled = true;
        if (message.ok) resolve(message.result);
        else reject(new Error(message.error));
        void worker.terminate();
      },
    );
    worker.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new Error(`the training worker failed: ${err instanceof Error ? err.message : String(err)}`));
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new Error(cancelled ?? `the training worker exited with code ${code} before finishing`));
    });
  });
  return {
    result,
    cancel: async (reason) => {
      cancelled = reason;
      await worker.terminate();
    },
  };
}
