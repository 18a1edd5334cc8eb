// D1 access for the edge monitor: the log read by rowid (the order rows were written in), profile chunks, the
// chunker's watermarks, detector state, and the shipping state of chunks.
import { readNodeState, writeNodeState } from '../node-state';

/** node_state keys of the monitor. */
export const MONITOR_STATE = {
  /** Every chunk holds exactly its predictions with rowid <= this. */
  watermark: 'profile_watermark',
  /** Outcomes recorded up to this time have been folded into their chunks. */
  feedbackWatermark: 'profile_feedback_watermark',
  /** When the chunker last caught up with the log: chunks that ended before it (less a grace) are closed. */
  caughtUpAt: 'profile_caught_up_at',
  unprofiledRows: 'profile_unprofiled_rows',
  unprofiledReason: 'profile_unprofiled_reason',
  lastShipAt: 'profile_last_ship_at',
  lastShipError: 'profile_last_ship_error',
} as const;

/** A logged prediction as the chunker and the monitor read it. */
export interface LoggedRow {
  readonly id: number;
  readonly features: string;
  readonly probability: number;
  readonly created_at: string;
  readonly outcome: number | null;
}

/** Where a new row goes: its model and time. */
export interface NewRow {
  readonly id: number;
  readonly model_name: string;
  readonly model_version: string;
  readonly created_at: string;
}

export interface ChunkRecord {
  readonly chunk_id: string;
  readonly model_name: string;
  readonly model_version: string;
  readonly start: string;
  readonly end: string;
  readonly rows: number;
  readonly labelled: number;
  /** The Profile as JSON text. */
  readonly profile: string;
  readonly built_upto: number;
}

export interface DetectorRow {
  readonly model_version: string;
  readonly method: string;
  readonly state: string;
  readonly fed_upto: number;
  readonly rows_seen: number;
  readonly detections: number;
  readonly detected_at: string | null;
  readonly updated_at: string;
}

const columnCache = new WeakMap<D1Database, boolean>();

export class ProfileStore {
  constructor(
    private readonly db: D1Database,
    /** The name rows logged before the log carried one (or on a node that serves one model) belong to. */
    private readonly defaultModel: string,
  ) {}

  /** Whether the log has a `model_name` column (a node that serves several models logs it). */
  private async hasModelName(): Promise<boolean> {
    const hit = columnCache.get(this.db);
    if (hit !== undefined) return hit;
    const { results } = await this.db.prepare('PRAGMA table_info(predictions)').all<{ name: string }>();
    const has = results.some((c) => c.name === 'model_name');
    columnCache.set(this.db, has);
    return has;
  }

  /** The row's model name as SQL: its `model_name` when logged, else the default (bound as parameter `param`). */
  private async nameColumn(param: string, alias = ''): Promise<string> {
    return (await this.hasModelName()) ? `COALESCE(${alias}model_name, ${param})` : param;
  }

  getState(key: string): Promise<string | null> {
    return readNodeState(this.db, key);
  }

  setState(key: string, value: string): Promise<void> {
    return writeNodeState(this.db, key, value);
  }

  async watermark(): Promise<number> {
    return Number((await this.getState(MONITOR_STATE.watermark)) ?? 0);
  }

  /** Rows written after `after` (by rowid), oldest first. */
  async newRows(after: number, limit: number): Promise<NewRow[]> {
    const name = await this.nameColumn('?3');
    const { results } = await this.db
      .prepare(
        `SELECT rowid AS id, ${name} AS model_name, model_version, created_at FROM predictions
         WHERE rowid > ?1 ORDER BY rowid LIMIT ?2`,
      )
      .bind(after, limit, this.defaultModel)
      .all<NewRow>();
    return results;
  }

  /** Predictions (rowid <= upto) whose outcome was recorded after `since`, with the outcome's time. */
  async feedbackSince(
    since: string,
    upto: number,
    limit: number,
  ): Promise<(NewRow & { feedback_at: string })[]> {
    const name = await this.nameColumn('?4', 'p.');
    const { results } = await this.db
      .prepare(
        `SELECT p.rowid AS id, ${name} AS model_name, p.model_version, p.created_at, f.created_at AS feedback_at
         FROM feedback f JOIN predictions p ON p.prediction_id = f.prediction_id
         WHERE f.created_at > ?1 AND p.rowid <= ?2 ORDER BY f.created_at LIMIT ?3`,
      )
      .bind(since, upto, limit, this.defaultModel)
      .all<NewRow & { feedback_at: string }>();
    return results;
  }

  /** One page of a version's rows in [from, to) with after < rowid <= upto, in rowid order, with outcomes. */
  async rows(
    version: string,
    from: string,
    to: string,
    after: number,
    upto: number,
    limit: number,
  ): Promise<LoggedRow[]> {
    const { results } = await this.db
      .prepare(
        `SELECT p.rowid AS id, p.features, p.probability, p.created_at, f.outcome
         FROM predictions p LEFT JOIN feedback f ON f.prediction_id = p.prediction_id
         WHERE p.model_version = ?1 AND p.created_at >= ?2 AND p.created_at < ?3
           AND p.rowid > ?4 AND p.rowid <= ?5
         ORDER BY p.rowid LIMIT ?6`,
      )
      .bind(version, from, to, after, upto, limit)
      .all<LoggedRow>();
    return results;
  }

  /** A version's scores after rowid `after`, in log order (what the detectors are fed). */
  async scores(
    version: string,
    after: number,
    limit: number,
  ): Promise<{ id: number; probability: number; created_at: string }[]> {
    const { results } = await this.db
      .prepare(
        // NOT INDEXED: walk the rowid range after `after` (short once caught up), not every row of the version.
        `SELECT rowid AS id, probability, created_at FROM predictions NOT INDEXED
         WHERE model_version = ?1 AND rowid > ?2 ORDER BY rowid LIMIT ?3`,
      )
      .bind(version, after, limit)
      .all<{ id: number; probability: number; created_at: string }>();
    return results;
  }

  /**
   * Writes rebuilt chunks and moves the watermarks, in one transaction. A chunk is only replaced by one built
   * from at least as much of the log (two cron runs at once cannot go back); a chunk whose row count changed
   * ships again (and leaves the dead-letter state: it is new content).
   */
  async commitChunks(
    chunks: readonly ChunkRecord[],
    marks: { watermark: number; feedbackWatermark: string | null; caughtUpAt: string | null; at: string },
  ): Promise<void> {
    const statements = chunks.map((c) =>
      this.db
        .prepare(
          `INSERT INTO profile_chunks
             (chunk_id, model_name, model_version, start, "end", rows, labelled, profile, built_upto, built_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
           ON CONFLICT (chunk_id) DO UPDATE SET
             rows = excluded.rows, labelled = excluded.labelled, profile = excluded.profile,
             built_upto = excluded.built_upto, built_at = excluded.built_at,
             synced_at = CASE WHEN profile_chunks.rows = excluded.rows THEN profile_chunks.synced_at END,
             dead_at = CASE WHEN profile_chunks.rows = excluded.rows THEN profile_chunks.dead_at END,
             dead_reason = CASE WHEN profile_chunks.rows = excluded.rows THEN profile_chunks.dead_reason END
           WHERE excluded.built_upto >= profile_chunks.built_upto`,
        )
        .bind(
          c.chunk_id,
          c.model_name,
          c.model_version,
          c.start,
          c.end,
          c.rows,
          c.labelled,
          c.profile,
          c.built_upto,
          marks.at,
        ),
    );
    const maxState = (key: string, value: string, numeric: boolean) =>
      this.db
        .prepare(
          `INSERT INTO node_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value =
             CASE WHEN ${numeric ? 'CAST(value AS INTEGER) < CAST(excluded.value AS INTEGER)' : 'value < excluded.value'}
             THEN excluded.value ELSE value END`,
        )
        .bind(key, value);
    statements.push(maxState(MONITOR_STATE.watermark, String(marks.watermark), true));
    if (marks.feedbackWatermark !== null)
      statements.push(maxState(MONITOR_STATE.feedbackWatermark, marks.feedbackWatermark, false));
    if (marks.caughtUpAt !== null)
      statements.push(maxState(MONITOR_STATE.caughtUpAt, marks.caughtUpAt, false));
    await this.db.batch(statements);
  }

  /** The chunks of a version starting in [from, to) and the watermark they were built to, read together. */
  async chunksWithWatermark(
    version: string,
    from: string,
    to: string,
  ): Promise<{ watermark: number; chunks: { chunk_id: string; profile: string; rows: number }[] }> {
    const [mark, chunks] = await this.db.batch([
      this.db.prepare('SELECT value FROM node_state WHERE key = ?1').bind(MONITOR_STATE.watermark),
      this.db
        .prepare(
          `SELECT chunk_id, profile, rows FROM profile_chunks
           WHERE model_version = ?1 AND start >= ?2 AND start < ?3 ORDER BY start`,
        )
        .bind(version, from, to),
    ]);
    const value = (mark!.results[0] as { value: string } | undefined)?.value;
    return {
      watermark: Number(value ?? 0),
      chunks: chunks!.results as { chunk_id: string; profile: string; rows: number }[],
    };
  }

  async chunk(
    chunkId: string,
  ): Promise<
    (ChunkRecord & { synced_at: string | null; dead_at: string | null; dead_reason: string | null }) | null
  > {
    return this.db
      .prepare(
        `SELECT chunk_id, model_name, model_version, start, "end", rows, labelled, profile, built_upto,
                synced_at, dead_at, dead_reason
         FROM profile_chunks WHERE chunk_id = ?1`,
      )
      .bind(chunkId)
      .first();
  }

  /** Closed chunks (ended by `closedBy`) neither shipped nor dead letters, oldest first. */
  async unsyncedChunks(closedBy: string, limit: number): Promise<ChunkRecord[]> {
    const { results } = await this.db
      .prepare(
        `SELECT chunk_id, model_name, model_version, start, "end", rows, labelled, profile, built_upto
         FROM profile_chunks WHERE synced_at IS NULL AND dead_at IS NULL AND "end" <= ?1
         ORDER BY "end", chunk_id LIMIT ?2`,
      )
      .bind(closedBy, limit)
      .all<ChunkRecord>();
    return results;
  }

  /** Marks chunks shipped, unless one was rebuilt meanwhile (then it ships again). */
  async markChunksSynced(chunks: readonly ChunkRecord[], at: string): Promise<void> {
    if (chunks.length === 0) return;
    await this.db
      .prepare(
        `UPDATE profile_chunks SET synced_at = ?2
         WHERE (chunk_id, built_upto) IN (SELECT value ->> '$[0]', value ->> '$[1]' FROM json_each(?1))`,
      )
      .bind(JSON.stringify(chunks.map((c) => [c.chunk_id, c.built_upto])), at)
      .run();
  }

  /** Refused chunks become dead letters with the centre's reason. */
  async markChunksDead(
    refused: readonly { chunk: ChunkRecord; reason: string }[],
    at: string,
  ): Promise<void> {
    if (refused.length === 0) return;
    await this.db
      .prepare(
        `UPDATE profile_chunks SET dead_at = ?2,
           dead_reason = (SELECT value ->> '$[2]' FROM json_each(?1) WHERE value ->> '$[0]' = chunk_id)
         WHERE (chunk_id, built_upto) IN (SELECT value ->> '$[0]', value ->> '$[1]' FROM json_each(?1))`,
      )
      .bind(JSON.stringify(refused.map((r) => [r.chunk.chunk_id, r.chunk.built_upto, r.reason])), at)
      .run();
  }

  async chunkCounts(): Promise<{ chunks: number; pending: number; shipped: number; dead: number }> {
    const row = await this.db
      .prepare(
        `SELECT COUNT(*) AS chunks,
                COALESCE(SUM(CASE WHEN synced_at IS NULL AND dead_at IS NULL THEN 1 ELSE 0 END), 0) AS pending,
                COALESCE(SUM(CASE WHEN synced_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS shipped,
                COALESCE(SUM(CASE WHEN dead_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS dead
         FROM profile_chunks`,
      )
      .first<{ chunks: number; pending: number; shipped: number; dead: number }>();
    return row ?? { chunks: 0, pending: 0, shipped: 0, dead: 0 };
  }

  /** Dead-letter chunks, oldest dead letter first (without their profiles). */
  async deadChunks(limit: number, offset: number) {
    const { results } = await this.db
      .prepare(
        `SELECT chunk_id, model_version, start, "end", rows, dead_at, dead_reason AS reason
         FROM profile_chunks WHERE dead_at IS NOT NULL ORDER BY dead_at, chunk_id LIMIT ?1 OFFSET ?2`,
      )
      .bind(limit, offset)
      .all<{
        chunk_id: string;
        model_version: string;
        start: string;
        end: string;
        rows: number;
        dead_at: string;
        reason: string;
      }>();
    return results;
  }

  async detectors(version: string): Promise<DetectorRow[]> {
    const { results } = await this.db
      .prepare('SELECT * FROM detector_state WHERE model_version = ?1 ORDER BY method')
      .bind(version)
      .all<DetectorRow>();
    return results;
  }

  /**
   * Saves a detector's state if nobody moved it since it was read at `previousUpto` (null: it did not exist);
   * false when another request or cron run got there first (its state stands).
   */
  async saveDetector(row: DetectorRow, previousUpto: number | null): Promise<boolean> {
    const result =
      previousUpto === null
        ? await this.db
            .prepare(
              `INSERT INTO detector_state
                 (model_version, method, state, fed_upto, rows_seen, detections, detected_at, updated_at)
               VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING`,
            )
            .bind(
              row.model_version,
              row.method,
              row.state,
              row.fed_upto,
              row.rows_seen,
              row.detections,
              row.detected_at,
              row.updated_at,
            )
            .run()
        : await this.db
            .prepare(
              `UPDATE detector_state SET state = ?3, fed_upto = ?4, rows_seen = ?5, detections = ?6,
                 detected_at = ?7, updated_at = ?8
               WHERE model_version = ?1 AND method = ?2 AND fed_upto = ?9`,
            )
            .bind(
              row.model_version,
              row.method,
              row.state,
              row.fed_upto,
              row.rows_seen,
              row.detections,
              row.detected_at,
              row.updated_at,
              previousUpto,
            )
            .run();
    return result.meta.changes > 0;
  }
}
