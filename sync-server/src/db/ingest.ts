// Batched writes of edge logs: one INSERT … SELECT FROM unnest(…) per batch, idempotent by prediction_id.
import type { IngestFeedbackRow, IngestPredictionRow } from '@pmm/core/sync';
import { sql } from 'drizzle-orm';
import { type Executor, rows } from './client';

/**
 * Inserts the rows not stored yet (callers pass one row per id). Returns how many were new and the ids of the
 * rows not inserted whose stored row says something else (a conflict: the stored row is kept).
 */
export async function insertPredictions(
  db: Executor,
  batch: readonly IngestPredictionRow[],
): Promise<{ inserted: number; conflicts: Set<string> }> {
  if (batch.length === 0) return { inserted: 0, conflicts: new Set() };
  const ids: string[] = [];
  const createdAt: string[] = [];
  const nodeIds: string[] = [];
  const versions: string[] = [];
  const features: string[] = [];
  const probabilities: number[] = [];
  const labels: number[] = [];
  for (const row of batch) {
    ids.push(row.prediction_id);
    createdAt.push(row.created_at);
    nodeIds.push(row.node_id);
    versions.push(row.model_version);
    features.push(JSON.stringify(row.features));
    probabilities.push(row.probability);
    labels.push(row.label);
  }
  const input = sql`unnest(
        ${sql.param(ids)}::uuid[], ${sql.param(createdAt)}::text[], ${sql.param(nodeIds)}::text[],
        ${sql.param(versions)}::text[], ${sql.param(features)}::text[], ${sql.param(probabilities)}::float8[],
        ${sql.param(labels)}::int2[]
      ) as u(id, created_at, node_id, model_version, features, probability, label)`;
  const inserted = await rows<{ id: string }>(
    db,
    sql`insert into predictions (prediction_id, created_at, node_id, model_version, features, probability, label)
      select u.id, u.created_at::timestamptz, u.node_id, u.model_version, u.features::jsonb, u.probability, u.label
      from ${input}
      on conflict (prediction_id) do nothing
      returning prediction_id::text as id`,
  );
  if (inserted.length === batch.length) return { inserted: inserted.length, conflicts: new Set() };
  // A second statement (a fresh snapshot under READ COMMITTED) also sees rows a concurrent batch just stored.
  const fresh = new Set(inserted.map((r) => r.id));
  const differing = await rows<{ id: string }>(
    db,
    sql`select u.id::text as id from ${input}
      join predictions p on p.prediction_id = u.id
      where not (u.id::text = any(${sql.param([...fresh])}::text[]))
        and (p.created_at, p.node_id, p.model_version, p.features, p.probability, p.label)
          is distinct from (u.created_at::timestamptz, u.node_id, u.model_version, u.features::jsonb, u.probability, u.label)`,
  );
  return { inserted: inserted.length, conflicts: new Set(differing.map((r) => r.id)) };
}

/** Of `ids`, those stored as predictions of `nodeId` (feedback may only name its own node's predictions). */
export async function knownPredictionIds(db: Executor, nodeId: string | null, ids: readonly string[]) {
  if (ids.length === 0) return new Set<string>();
  const found = await rows<{ id: string }>(
    db,
    sql`select prediction_id::text as id from predictions
        where prediction_id = any(${sql.param(ids)}::uuid[])
        ${nodeId === null ? sql`` : sql`and node_id = ${nodeId}`}`,
  );
  return new Set(found.map((r) => r.id));
}

/**
 * Stores feedback rows (one per prediction id: callers dedupe). A row replaces a stored one only when it is
 * at least as recent and says something different; returns how many rows were inserted or changed.
 */
export async function upsertFeedback(db: Executor, batch: readonly IngestFeedbackRow[]): Promise<number> {
  if (batch.length === 0) return 0;
  const ids = batch.map((r) => r.prediction_id);
  const outcomes = batch.map((r) => r.outcome);
  const createdAt = batch.map((r) => r.created_at);
  const [result] = await rows<{ changed: number }>(
    db,
    sql`with changed as (
      insert into feedback as f (prediction_id, outcome, created_at)
      select u.id, u.outcome, u.created_at::timestamptz
      from unnest(${sql.param(ids)}::uuid[], ${sql.param(outcomes)}::int2[], ${sql.param(createdAt)}::text[])
        as u(id, outcome, created_at)
      on conflict (prediction_id) do update
        set outcome = excluded.outcome, created_at = excluded.created_at, received_at = now()
        where f.created_at <= excluded.created_at
          and (f.outcome, f.created_at) is distinct from (excluded.outcome, excluded.created_at)
      returning 1
    )
    select count(*)::int as changed from changed`,
  );
  return Number(result?.changed ?? 0);
}

/**
 * Records that a node was heard from; when `model` is given (the newest row of a batch) and is newer than
 * what is known, it becomes the node's active model version.
 */
export async function touchNode(
  db: Executor,
  nodeId: string,
  model: { version: string; at: string } | null,
): Promise<void> {
  if (model === null) {
    await db.execute(sql`update nodes set last_contact_at = now() where node_id = ${nodeId}`);
    return;
  }
  await db.execute(sql`update nodes set
      last_contact_at = now(),
      active_model_version = case
        when active_model_at is null or active_model_at <= ${model.at}::timestamptz then ${model.version}
        else active_model_version end,
      active_model_at = greatest(active_model_at, ${model.at}::timestamptz)
    where node_id = ${nodeId}`);
}
