// Ships unsynced prediction and feedback rows to the sync server in batches; a row is marked only after a 2xx.
import {
  INGEST_BATCH_SIZE,
  INGEST_FEEDBACK_PATH,
  INGEST_PREDICTIONS_PATH,
  type IngestFeedbackRequest,
  type IngestPredictionsRequest,
} from '@pmm/core/sync';
import { type LogStore, STATE } from './log-store';

export interface ShipOptions {
  readonly logs: LogStore;
  readonly syncUrl: string;
  readonly nodeId: string;
  readonly ingestToken: string | undefined;
  readonly fetch: typeof fetch;
  readonly now: () => Date;
  readonly batchSize?: number;
  /** Upper bound on requests per run, so one cron invocation stays short; the rest waits for the next run. */
  readonly maxBatches?: number;
  readonly timeoutMs?: number;
}

export interface ShipResult {
  readonly predictions_sent: number;
  readonly feedback_sent: number;
  /** True when nothing is left waiting (as of this run). */
  readonly complete: boolean;
  readonly error: string | null;
}

export class SyncFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncFailedError';
  }
}

async function post(
  options: ShipOptions,
  path: string,
  body: IngestPredictionsRequest | IngestFeedbackRequest,
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.ingestToken) headers.authorization = `Bearer ${options.ingestToken}`;
  let response: Response;
  try {
    response = await options.fetch(`${options.syncUrl}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (err) {
    throw new SyncFailedError(`POST ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Drain the body so the connection can be reused; its content is not needed.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new SyncFailedError(`POST ${path}: HTTP ${response.status}`);
}

/**
 * Sends predictions first, then the feedback whose prediction the centre already has, oldest first.
 * At-least-once: a batch whose answer is lost is sent again next run (the centre dedupes by prediction_id).
 */
export async function shipLogs(options: ShipOptions): Promise<ShipResult> {
  const { logs, nodeId } = options;
  const batchSize = options.batchSize ?? INGEST_BATCH_SIZE;
  let budget = options.maxBatches ?? 20;
  let predictionsSent = 0;
  let feedbackSent = 0;
  let error: string | null = null;

  /** Ships one table until it is empty (true) or the budget is spent (false: the rest waits for the next run). */
  const drain = async <R>(
    read: () => Promise<R[]>,
    send: (rows: R[]) => Promise<void>,
    count: (n: number) => void,
  ): Promise<boolean> => {
    for (;;) {
      const rows = await read();
      if (rows.length === 0) return true;
      if (budget-- <= 0) return false;
      await send(rows);
      count(rows.length);
    }
  };

  let drained = false;
  try {
    drained =
      (await drain(
        () => logs.unsyncedPredictions(batchSize),
        async (rows) => {
          await post(options, INGEST_PREDICTIONS_PATH, { node_id: nodeId, rows });
          await logs.markPredictionsSynced(
            rows.map((r) => r.prediction_id),
            options.now().toISOString(),
          );
        },
        (n) => {
          predictionsSent += n;
        },
      )) &&
      (await drain(
        () => logs.unsyncedFeedback(batchSize),
        async (rows) => {
          await post(options, INGEST_FEEDBACK_PATH, { node_id: nodeId, rows });
          await logs.markFeedbackSynced(rows, options.now().toISOString());
        },
        (n) => {
          feedbackSent += n;
        },
      ));
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }

  const at = options.now().toISOString();
  const key = error === null ? STATE.lastSyncAt : STATE.lastSyncError;
  await logs.setState(key, error === null ? at : `${at} ${error}`).catch(() => undefined);
  return { predictions_sent: predictionsSent, feedback_sent: feedbackSent, complete: drained, error };
}
