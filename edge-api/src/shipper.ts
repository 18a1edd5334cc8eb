// Ships unsynced prediction and feedback rows to the sync server in batches, and reads its answer row by row.
import {
  INGEST_BATCH_SIZE,
  INGEST_FEEDBACK_PATH,
  INGEST_PREDICTIONS_PATH,
  type IngestFeedbackRequest,
  type IngestPredictionRow,
  type IngestPredictionsRequest,
  type IngestResult,
  ingestResultSchema,
} from '@pmm/core/sync';
import { type LogStore, type Refused, STATE } from './log-store';

export interface ShipOptions {
  readonly logs: LogStore;
  readonly syncUrl: string;
  readonly nodeId: string;
  readonly ingestToken: string | undefined;
  /** False (SHIP_FEATURES = "false"): rows go out with `features: null`, their values stay on the node. */
  readonly shipFeatures?: boolean;
  readonly fetch: typeof fetch;
  readonly now: () => Date;
  readonly batchSize?: number;
  /** Upper bound on requests per run, so one cron invocation stays short; the rest waits for the next run. */
  readonly maxBatches?: number;
  readonly timeoutMs?: number;
}

export interface ShipResult {
  /** Rows the centre stored (new, or already held: it dedupes by prediction_id). */
  readonly predictions_sent: number;
  readonly feedback_sent: number;
  /** Rows the centre refused this run, now dead letters (GET /admin/dead-letters). */
  readonly predictions_dead_lettered: number;
  readonly feedback_dead_lettered: number;
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

/** What the centre's answer says about each row of a batch: the indexes it stored, and the refused with why. */
export interface BatchOutcome {
  readonly stored: number[];
  readonly refused: { index: number; reason: string }[];
}

/**
 * Reads an ingest answer for a batch of `size` rows. Every row must be accounted for: named in `rejected` or
 * `conflicts`, or counted in `accepted` + `duplicates`. An answer that does not add up (a broken or older
 * centre) marks nothing: the whole batch stays waiting and is sent again next run (the centre dedupes).
 */
export function readIngestAnswer(path: string, size: number, answer: IngestResult): BatchOutcome {
  const refused = new Map<number, string>();
  const name = (list: IngestResult['rejected'], what: string) => {
    for (const r of list) {
      if (r.index >= size) {
        throw new SyncFailedError(`POST ${path}: the answer names row ${r.index} of a batch of ${size}`);
      }
      if (!refused.has(r.index)) refused.set(r.index, `${what}: ${r.path}: ${r.message}`);
    }
  };
  name(answer.rejected, 'rejected by the centre');
  name(answer.conflicts, 'conflict at the centre');
  const accounted = answer.accepted + answer.duplicates + refused.size;
  if (accounted !== size) {
    throw new SyncFailedError(
      `POST ${path}: the answer accounts for ${accounted} of ${size} rows ` +
        `(${answer.accepted} accepted, ${answer.duplicates} duplicates, ${refused.size} refused); ` +
        'none marked, the batch is sent again next run',
    );
  }
  const stored: number[] = [];
  for (let i = 0; i < size; i++) if (!refused.has(i)) stored.push(i);
  return { stored, refused: [...refused].map(([index, reason]) => ({ index, reason })) };
}

/** The centre's ingest routes, as a shipper reaches them. */
export type CentreTarget = Pick<ShipOptions, 'syncUrl' | 'ingestToken' | 'fetch' | 'timeoutMs'>;

/** POSTs `body` as JSON to one of the centre's ingest routes; a network failure is a SyncFailedError naming it. */
export async function postToCentre(
  target: CentreTarget,
  path: string,
  body: unknown,
): Promise<{ response: Response; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.ingestToken) headers.authorization = `Bearer ${target.ingestToken}`;
  try {
    const response = await target.fetch(`${target.syncUrl}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(target.timeoutMs ?? 15_000),
    });
    return { response, text: await response.text() };
  } catch (err) {
    throw new SyncFailedError(`POST ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function post(
  options: ShipOptions,
  path: string,
  body: IngestPredictionsRequest | IngestFeedbackRequest,
): Promise<BatchOutcome> {
  const { response, text } = await postToCentre(options, path, body);
  if (!response.ok) throw new SyncFailedError(`POST ${path}: HTTP ${response.status}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SyncFailedError(`POST ${path}: HTTP ${response.status} with an answer that is not JSON`);
  }
  const parsed = ingestResultSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SyncFailedError(
      `POST ${path}: unreadable answer (${issue.path.join('.') || '(root)'}: ${issue.message})`,
    );
  }
  return readIngestAnswer(path, body.rows.length, parsed.data);
}

/**
 * Sends predictions first, then the feedback whose prediction the centre already has, oldest first.
 * At-least-once: a batch whose answer is lost is sent again next run (the centre dedupes by prediction_id).
 * Rows the centre refuses become dead letters with its reason: kept, counted, listed, never sent again.
 */
export async function shipLogs(options: ShipOptions): Promise<ShipResult> {
  const { logs, nodeId } = options;
  const batchSize = options.batchSize ?? INGEST_BATCH_SIZE;
  let budget = options.maxBatches ?? 20;
  const counts = { predictions: 0, feedback: 0, deadPredictions: 0, deadFeedback: 0 };
  let error: string | null = null;

  /** Ships one table until it is empty (true) or the budget is spent (false: the rest waits for the next run). */
  const drain = async <R>(read: () => Promise<R[]>, send: (rows: R[]) => Promise<void>): Promise<boolean> => {
    for (;;) {
      const rows = await read();
      if (rows.length === 0) return true;
      if (budget-- <= 0) return false;
      await send(rows);
    }
  };

  let drained = false;
  try {
    drained =
      (await drain(
        () => logs.unsyncedPredictions(batchSize),
        async (rows) => {
          const outcome = await post(options, INGEST_PREDICTIONS_PATH, {
            node_id: nodeId,
            rows: options.shipFeatures === false ? withoutFeatures(rows) : rows,
          });
          const at = options.now().toISOString();
          const refused: Refused[] = outcome.refused.map(({ index, reason }) => ({
            prediction_id: rows[index]!.prediction_id,
            reason,
          }));
          await logs.markPredictionsDead(refused, at);
          await logs.markPredictionsSynced(
            outcome.stored.map((i) => rows[i]!.prediction_id),
            at,
          );
          counts.predictions += outcome.stored.length;
          counts.deadPredictions += refused.length;
          if (refused.length > 0) logDeadLetters('prediction', refused);
        },
      )) &&
      (await drain(
        () => logs.unsyncedFeedback(batchSize),
        async (rows) => {
          const outcome = await post(options, INGEST_FEEDBACK_PATH, { node_id: nodeId, rows });
          const at = options.now().toISOString();
          const refused = outcome.refused.map(({ index, reason }) => ({
            prediction_id: rows[index]!.prediction_id,
            created_at: rows[index]!.created_at,
            reason,
          }));
          await logs.markFeedbackDead(refused, at);
          await logs.markFeedbackSynced(
            outcome.stored.map((i) => rows[i]!),
            at,
          );
          counts.feedback += outcome.stored.length;
          counts.deadFeedback += refused.length;
          if (refused.length > 0) logDeadLetters('feedback', refused);
        },
      ));
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }

  const at = options.now().toISOString();
  const key = error === null ? STATE.lastSyncAt : STATE.lastSyncError;
  await logs.setState(key, error === null ? at : `${at} ${error}`).catch(() => undefined);
  return {
    predictions_sent: counts.predictions,
    feedback_sent: counts.feedback,
    predictions_dead_lettered: counts.deadPredictions,
    feedback_dead_lettered: counts.deadFeedback,
    complete: drained,
    error,
  };
}

/**
 * The rows without their feature values (`features: null`): the centre gets ids, versions, scores and labels,
 * and the drift of the features from the node's profile chunks.
 */
function withoutFeatures(rows: readonly IngestPredictionRow[]): IngestPredictionRow[] {
  return rows.map((r) => ({ ...r, features: null as unknown as IngestPredictionRow['features'] }));
}

function logDeadLetters(kind: 'prediction' | 'feedback', refused: readonly Refused[]): void {
  console.warn(
    JSON.stringify({
      event: 'dead_letters',
      kind,
      rows: refused.length,
      first: { prediction_id: refused[0]!.prediction_id, reason: refused[0]!.reason },
    }),
  );
}
