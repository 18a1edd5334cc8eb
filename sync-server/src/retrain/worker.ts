// Worker-thread entry: runs one retraining job off the main thread and posts the result (or the error) back.
import { parentPort, workerData } from 'node:worker_threads';
import { type RetrainJobInput, runRetrainJob } from './job';

try {
  const result = await runRetrainJob(workerData as RetrainJobInput);
  const onnx = result.onnx;
  parentPort!.postMessage({ ok: true, result }, onnx.byteOffset === 0 ? [onnx.buffer as ArrayBuffer] : []);
} catch (err) {
  parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
}
