// The prediction log in D1: writes from the API, reads, acknowledgements and dead letters for the shipper, health counters.
import type { FeatureRecord } from '@pmm/core/schema';
import type { IngestFeedbackRow, IngestPredictionRow } from '@pmm/core/sync';
import { readNodeState, writeNodeState } from './node-state';

/**
 * One logged prediction: the row shipped to the centre (`IngestPredictionRow`, where `model_version` identifies
 * the model) plus the name it was served under, kept on the node only.
 */
export interface PredictionLogRow {
  readonly prediction_id: string;
  readonly created_at: string;
  readonly node_id: string;
  readonly model_name: string;
  readonly model_version: string;
  readonly features: FeatureRecord;
  readonly probability: number;
  readonly label: 0 | 1;
}

export interface PendingCounts {
  readonly predictions: number;
  readonly feedback: number;
}

/** Rows per table in the dead-letter state. */
export type DeadLetterCounts = PendingCounts;

export type DeadLetterKind = 'prediction' | 'feedback';

/** A row the centre would not store, why, and since when; never shipped again, never deleted. */
export interface DeadLetter {
  readonly prediction_id: string;
  readonly created_at: string;
  readonly dead_at: string;
  readonly reason: string;
}
export type DeadPrediction = DeadLetter &
  Omit<IngestPredictionRow, 'prediction_id' | 'created_at'> & { readonly model_name: string };
export type DeadFeedback = DeadLetter & { readonly outcome: 0 | 1 };

/** A row of a shipped batch the centre refused, with the reason to keep beside it. */
export interface Refused {
  readonly prediction_id: string;
  readonly reason: string;
}

/** node_state keys. */
export const STATE = {
  failedLogWrites: 'failed_log_writes',
  lastSyncAt: 'last_sync_at',
  lastSyncError: 'last_sync_error',
  lastModelPullAt: 'last_model_pull_at',
  lastModelPullError: 'last_model_pull_error',
} as const;

interface PredictionRecord {
  prediction_id: string;
  created_at: string;
  node_id: string;
  model_version: string;
  features: string;
  probability: number;
  label: number;
}

function toRow(r: PredictionRecord): IngestPredictionRow {
  return {
    prediction_id: r.prediction_id,
    created_at: r.created_at,
    node_id: r.node_id,
    model_version: r.model_version,
    features: JSON.parse(r.features) as IngestPredictionRow['features'],
    probability: r.probability,
    label: r.label === 1 ? 1 : 0,
  };
}

const DEAD_PREDICTION_PREFIX = 'its prediction is a dead letter: ';

export class LogStore {
  constructor(private readonly db: D1Database) {}

  /** `SELECT 1`: whether D1 answers. */
  async ping(): Promise<void> {
    await this.db.prepare('SELECT 1 AS ok').first();
  }

  /** Inserts rows in one statement (json_each keeps it to one bound parameter, under D1's limit of 100). */
  async insertPredictions(rows: readonly PredictionLogRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .prepare(
        `INSERT INTO predictions
           (prediction_id, created_at, node_id, model_name, model_version, features, probability, label)
         SELECT value ->> '$.prediction_id', value ->> '$.created_at', value ->> '$.node_id',
                value ->> '$.model_name', value ->> '$.model_version', value -> '$.features',
                value ->> '$.probability', value ->> '$.label'
         FROM json_each(?1)`,
      )
      .bind(JSON.stringify(rows))
      .run();
  }

  /**
   * Stores (or replaces) the outcome beside a logged prediction; false when the prediction is unknown. A new
   * outcome ships again (even one replacing a dead letter: it is new content); the outcome of a dead-letter
   * prediction is a dead letter too, since the centre cannot join it.
   */
  async recordFeedback(predictionId: string, outcome: 0 | 1, at: string): Promise<boolean> {
    const result = await this.db
      .prepare(
        `INSERT INTO feedback (prediction_id, outcome, created_at, synced_at, dead_at, dead_reason)
         SELECT prediction_id, ?2, ?3, NULL,
                CASE WHEN dead_at IS NULL THEN NULL ELSE ?3 END,
                CASE WHEN dead_at IS NULL THEN NULL ELSE ?4 || dead_reason END
         FROM predictions WHERE prediction_id = ?1
         ON CONFLICT (prediction_id) DO UPDATE
           SET outcome = excluded.outcome, created_at = excluded.created_at, synced_at = NULL,
               dead_at = excluded.dead_at, dead_reason = excluded.dead_reason`,
      )
      .bind(predictionId, outcome, at, DEAD_PREDICTION_PREFIX)
      .run();
    return result.meta.changes > 0;
  }

  /** The oldest predictions neither shipped nor dead letters. */
  async unsyncedPredictions(limit: number): Promise<IngestPredictionRow[]> {
    const { results } = await this.db
      .prepare(
        `SELECT prediction_id, created_at, node_id, model_version, features, probability, label
         FROM predictions WHERE synced_at IS NULL AND dead_at IS NULL ORDER BY created_at, prediction_id LIMIT ?1`,
      )
      .bind(limit)
      .all<PredictionRecord>();
    return results.map(toRow);
  }

  async markPredictionsSynced(ids: readonly string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .prepare(
        `UPDATE predictions SET synced_at = ?2 WHERE prediction_id IN (SELECT value FROM json_each(?1))`,
      )
      .bind(JSON.stringify(ids), at)
      .run();
  }

  /**
   * Moves refused predictions to the dead-letter state with the centre's reason, and with them their outcomes
   * not shipped yet (the centre could not join those).
   */
  async markPredictionsDead(refused: readonly Refused[], at: string): Promise<void> {
    if (refused.length === 0) return;
    const list = JSON.stringify(refused.map((r) => [r.prediction_id, r.reason]));
    await this.db.batch([
      this.db
        .prepare(
          `UPDATE predictions SET dead_at = ?2,
             dead_reason = (SELECT value ->> '$[1]' FROM json_each(?1) WHERE value ->> '$[0]' = prediction_id)
           WHERE prediction_id IN (SELECT value ->> '$[0]' FROM json_each(?1)) AND synced_at IS NULL`,
        )
        .bind(list, at),
      this.db
        .prepare(
          `UPDATE feedback SET dead_at = ?2,
             dead_reason = ?3 || (SELECT value ->> '$[1]' FROM json_each(?1) WHERE value ->> '$[0]' = prediction_id)
           WHERE prediction_id IN (SELECT value ->> '$[0]' FROM json_each(?1)) AND synced_at IS NULL`,
        )
        .bind(list, at, DEAD_PREDICTION_PREFIX),
    ]);
  }

  /** Unsynced outcomes, not dead letters, whose prediction the centre already has (so it can join them). */
  async unsyncedFeedback(limit: number): Promise<IngestFeedbackRow[]> {
    const { results } = await this.db
      .prepare(
        `SELECT f.prediction_id, f.outcome, f.created_at FROM feedback f
         JOIN predictions p ON p.prediction_id = f.prediction_id
         WHERE f.synced_at IS NULL AND f.dead_at IS NULL AND p.synced_at IS NOT NULL
         ORDER BY f.created_at, f.prediction_id LIMIT ?1`,
      )
      .bind(limit)
      .all<{ prediction_id: string; outcome: number; created_at: string }>();
    return results.map((r) => ({
      prediction_id: r.prediction_id,
      outcome: r.outcome === 1 ? 1 : 0,
      created_at: r.created_at,
    }));
  }

  /** Marks shipped outcomes, unless one was corrected meanwhile (then its created_at differs and it ships again). */
  async markFeedbackSynced(rows: readonly IngestFeedbackRow[], at: string): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .prepare(
        `UPDATE feedback SET synced_at = ?2
         WHERE (prediction_id, created_at) IN (SELECT value ->> '$[0]', value ->> '$[1]' FROM json_each(?1))`,
      )
      .bind(JSON.stringify(rows.map((r) => [r.prediction_id, r.created_at])), at)
      .run();
  }

  /** Refused outcomes to the dead-letter state, unless one was corrected meanwhile (the correction ships). */
  async markFeedbackDead(refused: readonly (Refused & { created_at: string })[], at: string): Promise<void> {
    if (refused.length === 0) return;
    await this.db
      .prepare(
        `UPDATE feedback SET dead_at = ?2,
           dead_reason = (SELECT value ->> '$[2]' FROM json_each(?1) WHERE value ->> '$[0]' = prediction_id)
         WHERE (prediction_id, created_at) IN (SELECT value ->> '$[0]', value ->> '$[1]' FROM json_each(?1))
           AND synced_at IS NULL`,
      )
      .bind(JSON.stringify(refused.map((r) => [r.prediction_id, r.created_at, r.reason])), at)
      .run();
  }

  /** Rows waiting to be shipped (dead letters are not waiting: they are counted by `deadLetterCounts`). */
  async pendingCounts(): Promise<PendingCounts> {
    const row = await this.db
      .prepare(
        `SELECT (SELECT count(*) FROM predictions WHERE synced_at IS NULL AND dead_at IS NULL) AS predictions,
                (SELECT count(*) FROM feedback WHERE synced_at IS NULL AND dead_at IS NULL) AS feedback`,
      )
      .first<PendingCounts>();
    return { predictions: row?.predictions ?? 0, feedback: row?.feedback ?? 0 };
  }

  async deadLetterCounts(): Promise<DeadLetterCounts> {
    const row = await this.db
      .prepare(
        `SELECT (SELECT count(*) FROM predictions WHERE dead_at IS NOT NULL) AS predictions,
                (SELECT count(*) FROM feedback WHERE dead_at IS NOT NULL) AS feedback`,
      )
      .first<DeadLetterCounts>();
    return { predictions: row?.predictions ?? 0, feedback: row?.feedback ?? 0 };
  }

  /** Dead-letter predictions, oldest dead letter first, with the logged row. */
  async deadPredictions(limit: number, offset: number): Promise<DeadPrediction[]> {
    const { results } = await this.db
      .prepare(
        `SELECT prediction_id, created_at, node_id, model_name, model_version, features, probability, label,
                dead_at, dead_reason
         FROM predictions WHERE dead_at IS NOT NULL ORDER BY dead_at, prediction_id LIMIT ?1 OFFSET ?2`,
      )
      .bind(limit, offset)
      .all<PredictionRecord & { model_name: string; dead_at: string; dead_reason: string }>();
    return results.map((r) => ({
      ...toRow(r),
      model_name: r.model_name,
      dead_at: r.dead_at,
      reason: r.dead_reason,
    }));
  }

  /** Dead-letter outcomes, oldest dead letter first. */
  async deadFeedback(limit: number, offset: number): Promise<DeadFeedback[]> {
    const { results } = await this.db
      .prepare(
        `SELECT prediction_id, created_at, outcome, dead_at, dead_reason
         FROM feedback WHERE dead_at IS NOT NULL ORDER BY dead_at, prediction_id LIMIT ?1 OFFSET ?2`,
      )
      .bind(limit, offset)
      .all<{
        prediction_id: string;
        created_at: string;
        outcome: number;
        dead_at: string;
        dead_reason: string;
      }>();
    return results.map((r) => ({
      prediction_id: r.prediction_id,
      created_at: r.created_at,
      outcome: r.outcome === 1 ? 1 : 0,
      dead_at: r.dead_at,
      reason: r.dead_reason,
    }));
  }

  getState(key: string): Promise<string | null> {
    return readNodeState(this.db, key);
  }

  setState(key: string, value: string): Promise<void> {
    return writeNodeState(this.db, key, value);
  }

  /** Atomically adds `by` to an integer counter. */
  async increment(key: string, by = 1): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO node_state (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + ?2`,
      )
      .bind(key, by)
      .run();
  }
}
