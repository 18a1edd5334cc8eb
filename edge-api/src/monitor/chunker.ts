// The cron's chunker: turns the prediction log into profile chunks, one per model version and 5-minute chunk of
// time. A chunk touched by new rows (or new outcomes) is rebuilt whole from the log, so running it again, or
// twice at once, gives the same chunks: the chunk id is the version and the chunk's start.
import { type Profile, ProfileBuilder, type ProfileSpec } from '@pmm/core/profile';
import { cardOf, specOf } from './models';
import {
  type ChunkRecord,
  type LoggedRow,
  MONITOR_STATE,
  type NewRow,
  type ProfileStore,
} from './profile-store';

/** Width of a time chunk. */
export const CHUNK_MS = 5 * 60_000;
/** Outcomes are re-read this far behind the feedback watermark (one written while the cron read is not lost). */
const FEEDBACK_OVERLAP_MS = 2 * 60_000;
/** Rows per D1 read. */
export const PAGE_ROWS = 2_000;

export const chunkStartMs = (ms: number): number => Math.floor(ms / CHUNK_MS) * CHUNK_MS;
export const chunkId = (version: string, start: string): string => `${version}@${start}`;
const iso = (ms: number): string => new Date(ms).toISOString();

export interface ChunkRunResult {
  /** New log rows this run read. */
  readonly rows: number;
  /** Chunks rebuilt. */
  readonly chunks: number;
  /** New rows of versions that cannot be profiled (no card visible, or a card without a reference profile). */
  readonly unprofiled_rows: number;
  /** False when the row budget ran out: the rest waits for the next run (or the monitor's live tail). */
  readonly caught_up: boolean;
  /** Versions that got new rows. */
  readonly versions: string[];
}

/** Adds logged rows to a builder (features as logged, score, outcome where known, time). */
export function addRows(builder: ProfileBuilder, rows: readonly LoggedRow[]): void {
  for (const r of rows) {
    const outcome = r.outcome === 0 || r.outcome === 1 ? r.outcome : null;
    builder.add(
      JSON.parse(r.features) as Record<string, string | number | null>,
      r.probability,
      outcome,
      r.created_at,
    );
  }
}

/** The profile of a version's rows in [from, to) with after < rowid <= upto, read page by page. */
export async function profileOfLog(
  store: ProfileStore,
  spec: ProfileSpec,
  version: string,
  from: string,
  to: string,
  after: number,
  upto: number,
): Promise<{ profile: Profile; rows: number }> {
  const builder = new ProfileBuilder(spec);
  let rows = 0;
  for (let cursor = after; ; ) {
    const page = await store.rows(version, from, to, cursor, upto, PAGE_ROWS);
    addRows(builder, page);
    rows += page.length;
    if (page.length < PAGE_ROWS) break;
    cursor = page[page.length - 1]!.id;
  }
  return { profile: builder.build(), rows };
}

interface Dirty {
  readonly name: string;
  readonly version: string;
  readonly startMs: number;
  newRows: number;
}

/**
 * One chunker run: reads up to `maxRows` rows written since the watermark (by rowid, so a row logged late is
 * never skipped) and the outcomes recorded since the feedback watermark, rebuilds every chunk they touch from
 * the log up to the new watermark, and commits chunks and watermarks in one transaction.
 */
export async function chunkLog(
  store: ProfileStore,
  kv: KVNamespace,
  now: Date,
  maxRows = 20_000,
): Promise<ChunkRunResult> {
  const watermark = await store.watermark();
  const fresh = await store.newRows(watermark, maxRows);
  const upto = fresh.length > 0 ? fresh[fresh.length - 1]!.id : watermark;
  const dirty = new Map<string, Dirty>();
  const touch = (r: NewRow, isNew: boolean) => {
    const startMs = chunkStartMs(Date.parse(r.created_at));
    const id = chunkId(r.model_version, iso(startMs));
    let d = dirty.get(id);
    if (!d) {
      d = { name: r.model_name, version: r.model_version, startMs, newRows: 0 };
      dirty.set(id, d);
    }
    if (isNew) d.newRows++;
  };
  for (const r of fresh) touch(r, true);

  const feedbackMark = await store.getState(MONITOR_STATE.feedbackWatermark);
  const since = feedbackMark ? iso(Date.parse(feedbackMark) - FEEDBACK_OVERLAP_MS) : '';
  const outcomes = await store.feedbackSince(since, upto, 50_000);
  let feedbackWatermark: string | null = null;
  for (const r of outcomes) {
    touch(r, false);
    if (feedbackWatermark === null || r.feedback_at > feedbackWatermark) feedbackWatermark = r.feedback_at;
  }

  const chunks: ChunkRecord[] = [];
  let unprofiled = 0;
  let reason: string | null = null;
  for (const [id, d] of dirty) {
    const card = await cardOf(kv, d.name, d.version);
    const spec = card
      ? specOf(card)
      : { ok: false as const, reason: `no card for ${d.name} ${d.version} in KV` };
    if (!spec.ok) {
      unprofiled += d.newRows;
      reason = spec.reason;
      continue;
    }
    const start = iso(d.startMs);
    const end = iso(d.startMs + CHUNK_MS);
    const { profile, rows } = await profileOfLog(store, spec.spec, d.version, start, end, 0, upto);
    const labelled = profile.score ? profile.score.labelled.reduce((a, b) => a + b, 0) : 0;
    chunks.push({
      chunk_id: id,
      model_name: d.name,
      model_version: d.version,
      start,
      end,
      rows,
      labelled,
      profile: JSON.stringify(profile),
      built_upto: upto,
    });
  }
  const at = now.toISOString();
  const caughtUp = fresh.length < maxRows;
  await store.commitChunks(chunks, {
    watermark: upto,
    feedbackWatermark,
    caughtUpAt: caughtUp ? at : null,
    at,
  });
  if (unprofiled > 0) {
    await store.setState(
      MONITOR_STATE.unprofiledRows,
      String(Number((await store.getState(MONITOR_STATE.unprofiledRows)) ?? 0) + unprofiled),
    );
    await store.setState(MONITOR_STATE.unprofiledReason, reason!);
  }
  return {
    rows: fresh.length,
    chunks: chunks.length,
    unprofiled_rows: unprofiled,
    caught_up: caughtUp,
    versions: [...new Set(fresh.map((r) => r.model_version))],
  };
}
