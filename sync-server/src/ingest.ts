// Ingest of edge logs: each row is validated on its own, the good rows of a batch are stored, the bad named by index.
import { modelSchemaOf } from '@pmm/core/model';
import { requestValidatorFor, toFieldIssues } from '@pmm/core/schema';
import {
  type IngestFeedbackRow,
  type IngestPredictionRow,
  type IngestResult,
  type IngestRowProblem,
  ingestFeedbackRowSchema,
  ingestPredictionRowSchema,
} from '@pmm/core/sync';
import { z } from 'zod';
import type { Db } from './db/client';
import { insertPredictions, knownPredictionIds, touchNode, upsertFeedback } from './db/ingest';
import { cardsOf } from './db/registry';

/** The centre takes up to this many rows per request (the edge ships 500). */
export const MAX_INGEST_ROWS = 5_000;

/** Earliest accepted `created_at`: PostgreSQL refuses year 0, and older stamps are clock bugs anyway. */
const EARLIEST = Date.UTC(1900, 0, 1);
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f]/;

export const ingestRequestSchema = z.strictObject({
  node_id: z
    .string()
    .min(1)
    .max(128)
    .refine((id) => !CONTROL.test(id), 'must not contain control characters'),
  rows: z.array(z.unknown()).min(1).max(MAX_INGEST_ROWS),
});

type RejectedRow = IngestRowProblem;

export { type IngestResult, ingestResultSchema } from '@pmm/core/sync';

function validateRows<T extends { prediction_id: string }>(
  schema: z.ZodType<T>,
  rows: readonly unknown[],
  check: (row: T) => RejectedRow | null,
): { valid: { index: number; row: T }[]; rejected: RejectedRow[] } {
  const valid: { index: number; row: T }[] = [];
  const rejected: RejectedRow[] = [];
  rows.forEach((raw, index) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const first = toFieldIssues(parsed.error)[0] ?? { path: '(root)', message: 'invalid row' };
      rejected.push({ index, path: first.path, message: first.message });
      return;
    }
    const problem = check(parsed.data);
    if (problem) rejected.push({ ...problem, index });
    else valid.push({ index, row: parsed.data });
  });
  return { valid, rejected };
}

function checkCreatedAt(createdAt: string): RejectedRow | null {
  return Date.parse(createdAt) >= EARLIEST
    ? null
    : { index: 0, path: 'created_at', message: 'must be 1900-01-01 or later' };
}

/** Two rows under one prediction id say the same thing (time as an instant, features whatever their key order). */
function sameContent(a: IngestPredictionRow, b: IngestPredictionRow): boolean {
  const features = (f: IngestPredictionRow['features']) =>
    f === null ? 'null' : JSON.stringify(Object.entries(f).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return (
    Date.parse(a.created_at) === Date.parse(b.created_at) &&
    a.node_id === b.node_id &&
    a.model_version === b.model_version &&
    a.probability === b.probability &&
    a.label === b.label &&
    features(a.features) === features(b.features)
  );
}

const CONFLICT_MESSAGE = 'already stored with different content (the first is kept)';

/**
 * Checks each row's features against the schema of ITS model version (the validator the edge built from the
 * same model.json): rows of an unregistered version, or whose features that schema refuses, move from `valid`
 * to `rejected`, named by index and field.
 */
async function checkFeatures(
  db: Db,
  valid: { index: number; row: IngestPredictionRow }[],
  rejected: RejectedRow[],
): Promise<{ index: number; row: IngestPredictionRow }[]> {
  const cards = await cardsOf(db, [...new Set(valid.map((v) => v.row.model_version))]);
  const kept: { index: number; row: IngestPredictionRow }[] = [];
  for (const v of valid) {
    const registered = cards.get(v.row.model_version);
    if (!registered) {
      rejected.push({
        index: v.index,
        path: 'model_version',
        message: `unknown model version ${v.row.model_version}: register it before sending its predictions`,
      });
      continue;
    }
    // Features withheld by the edge (SHIP_FEATURES = "false"): nothing to check, nothing stored.
    if (v.row.features === null) {
      kept.push(v);
      continue;
    }
    const validator = requestValidatorFor(v.row.model_version, modelSchemaOf(registered.card));
    const checked = validator.validateFeatures(v.row.features);
    if (!checked.ok) {
      const first = checked.issues[0] ?? { path: '(root)', message: 'invalid features' };
      rejected.push({ index: v.index, path: `features.${first.path}`, message: first.message });
      continue;
    }
    kept.push(v);
  }
  rejected.sort((a, b) => a.index - b.index);
  return kept;
}

/**
 * Stores the valid rows new to the centre. A row whose id is stored (or earlier in the batch) with the same
 * content is a duplicate; with different content it is a conflict: the first is kept, the row is named in
 * `conflicts` and logged, since it means a client bug or an attack.
 */
export async function ingestPredictions(
  db: Db,
  nodeId: string,
  rows: readonly unknown[],
): Promise<IngestResult> {
  const checked = validateRows<IngestPredictionRow>(ingestPredictionRowSchema, rows, (row) => {
    if (row.node_id !== nodeId)
      return { index: 0, path: 'node_id', message: `must equal the request's node_id` };
    if (CONTROL.test(row.model_version)) {
      return { index: 0, path: 'model_version', message: 'must not contain control characters' };
    }
    return checkCreatedAt(row.created_at);
  });
  const { rejected } = checked;
  const valid = await checkFeatures(db, checked.valid, rejected);
  const conflicts: RejectedRow[] = [];
  const first = new Map<string, { index: number; row: IngestPredictionRow }>();
  for (const v of valid) {
    const seen = first.get(v.row.prediction_id);
    if (!seen) first.set(v.row.prediction_id, v);
    else if (!sameContent(seen.row, v.row))
      conflicts.push({ index: v.index, path: 'prediction_id', message: CONFLICT_MESSAGE });
  }
  const unique = [...first.values()];
  const stored = await insertPredictions(
    db,
    unique.map((v) => v.row),
  );
  for (const v of unique) {
    if (stored.conflicts.has(v.row.prediction_id))
      conflicts.push({ index: v.index, path: 'prediction_id', message: CONFLICT_MESSAGE });
  }
  conflicts.sort((a, b) => a.index - b.index);
  if (conflicts.length > 0) {
    const ids = conflicts.slice(0, 10).map((c) => (rows[c.index] as IngestPredictionRow).prediction_id);
    console.warn(
      JSON.stringify({
        event: 'ingest_conflict',
        node_id: nodeId,
        conflicts: conflicts.length,
        prediction_ids: ids,
      }),
    );
  }
  let newest: IngestPredictionRow | undefined;
  const conflicting = new Set(conflicts.map((c) => c.index));
  for (const { index, row } of valid) {
    if (conflicting.has(index)) continue;
    if (!newest || Date.parse(row.created_at) >= Date.parse(newest.created_at)) newest = row;
  }
  await touchNode(db, nodeId, newest ? { version: newest.model_version, at: newest.created_at } : null);
  return {
    accepted: stored.inserted,
    duplicates: valid.length - stored.inserted - conflicts.length,
    rejected,
    conflicts,
  };
}

/**
 * Feedback names predictions this node sent before; one for an unknown prediction is rejected by index.
 * Of several rows for one prediction the most recent wins (the others count as duplicates).
 */
export async function ingestFeedback(
  db: Db,
  nodeId: string | null,
  rows: readonly unknown[],
): Promise<IngestResult> {
  const { valid, rejected } = validateRows<IngestFeedbackRow>(ingestFeedbackRowSchema, rows, (row) =>
    checkCreatedAt(row.created_at),
  );
  const known = await knownPredictionIds(
    db,
    nodeId,
    valid.map((v) => v.row.prediction_id),
  );
  const latest = new Map<string, IngestFeedbackRow>();
  let matched = 0;
  for (const { index, row } of valid) {
    if (!known.has(row.prediction_id)) {
      rejected.push({
        index,
        path: 'prediction_id',
        message: 'unknown prediction_id (send the prediction first)',
      });
      continue;
    }
    matched++;
    const seen = latest.get(row.prediction_id);
    if (!seen || Date.parse(row.created_at) >= Date.parse(seen.created_at))
      latest.set(row.prediction_id, row);
  }
  rejected.sort((a, b) => a.index - b.index);
  const accepted = await upsertFeedback(db, [...latest.values()]);
  if (nodeId !== null) await touchNode(db, nodeId, null);
  return { accepted, duplicates: matched - accepted, rejected, conflicts: [] };
}
