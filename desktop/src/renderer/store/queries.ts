// Reads for analysis: a window of predictions, feedback for them, models and the current aliases.
import Dexie from 'dexie';
import type { AliasHistoryRow, FeedbackRow, ModelRow, PmmDb, PredictionRow } from './db';
import type { WindowSpec } from './window-spec';

/** Predictions in the window, oldest first. */
export async function loadWindow(db: PmmDb, spec: WindowSpec): Promise<PredictionRow[]> {
  const from = spec.from ?? Number.NEGATIVE_INFINITY;
  const to = spec.to ?? Number.POSITIVE_INFINITY;
  let collection = spec.modelVersion
    ? db.predictions
        .where('[model_version+ts]')
        .between([spec.modelVersion, from], [spec.modelVersion, to], true, true)
    : spec.nodeId
      ? db.predictions.where('[node_id+ts]').between([spec.nodeId, from], [spec.nodeId, to], true, true)
      : db.predictions.where('ts').between(from, to, true, true);
  if (spec.nodeId && spec.modelVersion) collection = collection.filter((p) => p.node_id === spec.nodeId);
  if (spec.lastN !== undefined && spec.lastN > 0) {
    const rows = await collection.reverse().limit(spec.lastN).toArray();
    return rows.reverse();
  }
  return collection.toArray();
}

/** Outcomes by prediction id for the given predictions. */
export async function loadFeedback(db: PmmDb, ids: readonly string[]): Promise<Map<string, FeedbackRow>> {
  const rows = await db.feedback.bulkGet([...ids]);
  const out = new Map<string, FeedbackRow>();
  for (const row of rows) if (row) out.set(row.prediction_id, row);
  return out;
}

export async function listModels(db: PmmDb): Promise<ModelRow[]> {
  return db.models.orderBy('ts').reverse().toArray();
}

/** Each alias's current version: the latest history entry per alias. */
export function currentAliases(history: readonly AliasHistoryRow[]): Map<string, AliasHistoryRow> {
  const out = new Map<string, AliasHistoryRow>();
  for (const row of history) {
    const seen = out.get(row.alias);
    if (!seen || row.ts > seen.ts) out.set(row.alias, row);
  }
  return out;
}

/** Distinct first components of a compound index, one key lookup per distinct value (not a scan). */
async function distinctPrefixes(db: PmmDb, index: '[node_id+ts]' | '[model_version+ts]'): Promise<string[]> {
  const out: string[] = [];
  let next = await db.predictions.orderBy(index).first();
  while (next) {
    const value = String(index === '[node_id+ts]' ? next.node_id : next.model_version);
    out.push(value);
    next = await db.predictions.where(index).above([value, Dexie.maxKey]).first();
  }
  return out.sort();
}

/** Distinct edge nodes and model versions seen in the log (for pickers), and the number of predictions. */
export async function logFacets(db: PmmDb): Promise<{ nodes: string[]; versions: string[]; rows: number }> {
  const [nodes, versions, rows] = await Promise.all([
    distinctPrefixes(db, '[node_id+ts]'),
    distinctPrefixes(db, '[model_version+ts]'),
    db.predictions.count(),
  ]);
  return { nodes, versions, rows };
}
