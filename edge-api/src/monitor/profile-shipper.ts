// Ships closed profile chunks to the centre (`POST {SYNC_URL}/v1/ingest/profiles`), at least once and idempotent
// by chunk id; chunks it refuses become dead letters with its reason. A centre without the route (404) leaves
// every chunk waiting for a later run.
import type { Profile } from '@pmm/core/profile';
import { z } from 'zod';
import { postToCentre, SyncFailedError } from '../shipper';
import { type ChunkRecord, MONITOR_STATE, type ProfileStore } from './profile-store';

export const INGEST_PROFILES_PATH = '/v1/ingest/profiles';
/** A chunk is shipped once the chunker caught up this long after its end (its rows are all logged by then). */
export const CLOSE_GRACE_MS = 60_000;
/** Chunks per request (a chunk of a 19-feature model is some tens of KB). */
export const PROFILE_BATCH = 20;

/** `POST /v1/ingest/profiles` body. */
export interface IngestProfilesRequest {
  readonly node_id: string;
  readonly chunks: readonly {
    readonly chunk_id: string;
    readonly model_version: string;
    readonly start: string;
    readonly end: string;
    readonly profile: Profile;
  }[];
}

/** The centre's answer: every chunk is accepted, a duplicate (already held), or refused with a reason. */
export const ingestProfilesResultSchema = z.object({
  accepted: z.number().int().min(0),
  duplicates: z.number().int().min(0),
  refused: z.array(z.object({ index: z.number().int().min(0), reason: z.string() })).default([]),
});

export interface ProfileShipResult {
  readonly chunks_sent: number;
  readonly chunks_dead_lettered: number;
  readonly complete: boolean;
  readonly error: string | null;
}

export interface ProfileShipOptions {
  readonly store: ProfileStore;
  readonly syncUrl: string;
  readonly nodeId: string;
  readonly ingestToken: string | undefined;
  readonly fetch: typeof fetch;
  readonly now: () => Date;
  readonly maxBatches?: number;
  readonly timeoutMs?: number;
}

async function post(options: ProfileShipOptions, chunks: readonly ChunkRecord[]) {
  const body: IngestProfilesRequest = {
    node_id: options.nodeId,
    chunks: chunks.map((c) => ({
      chunk_id: c.chunk_id,
      model_version: c.model_version,
      start: c.start,
      end: c.end,
      profile: JSON.parse(c.profile) as Profile,
    })),
  };
  const { response, text } = await postToCentre(options, INGEST_PROFILES_PATH, body);
  if (response.status === 404)
    throw new SyncFailedError(
      `POST ${INGEST_PROFILES_PATH}: HTTP 404 (the centre has no profile route yet): chunks wait for a later run`,
    );
  if (!response.ok) throw new SyncFailedError(`POST ${INGEST_PROFILES_PATH}: HTTP ${response.status}`);
  let parsed: z.infer<typeof ingestProfilesResultSchema>;
  try {
    parsed = ingestProfilesResultSchema.parse(JSON.parse(text));
  } catch {
    throw new SyncFailedError(
      `POST ${INGEST_PROFILES_PATH}: unreadable answer: none marked, sent again next run`,
    );
  }
  const refused = new Map<number, string>();
  for (const r of parsed.refused) {
    if (r.index >= chunks.length)
      throw new SyncFailedError(
        `POST ${INGEST_PROFILES_PATH}: the answer names chunk ${r.index} of ${chunks.length}`,
      );
    if (!refused.has(r.index)) refused.set(r.index, `refused by the centre: ${r.reason}`);
  }
  const accounted = parsed.accepted + parsed.duplicates + refused.size;
  if (accounted !== chunks.length)
    throw new SyncFailedError(
      `POST ${INGEST_PROFILES_PATH}: the answer accounts for ${accounted} of ${chunks.length} chunks: none marked, sent again next run`,
    );
  return {
    stored: chunks.filter((_, i) => !refused.has(i)),
    refused: [...refused].map(([i, reason]) => ({ chunk: chunks[i]!, reason })),
  };
}

/** Ships closed chunks oldest first until none is left or `maxBatches` requests were made. */
export async function shipProfiles(options: ProfileShipOptions): Promise<ProfileShipResult> {
  const { store } = options;
  const caughtUpAt = await store.getState(MONITOR_STATE.caughtUpAt);
  let sent = 0;
  let dead = 0;
  let error: string | null = null;
  let complete = true;
  if (caughtUpAt !== null) {
    const closedBy = new Date(Date.parse(caughtUpAt) - CLOSE_GRACE_MS).toISOString();
    let budget = options.maxBatches ?? 10;
    try {
      for (;;) {
        const chunks = await store.unsyncedChunks(closedBy, PROFILE_BATCH);
        if (chunks.length === 0) break;
        if (budget-- <= 0) {
          complete = false;
          break;
        }
        const outcome = await post(options, chunks);
        const at = options.now().toISOString();
        await store.markChunksDead(outcome.refused, at);
        await store.markChunksSynced(outcome.stored, at);
        sent += outcome.stored.length;
        dead += outcome.refused.length;
        if (outcome.refused.length > 0)
          console.warn(
            JSON.stringify({
              event: 'dead_letters',
              kind: 'profile',
              chunks: outcome.refused.length,
              first: { chunk_id: outcome.refused[0]!.chunk.chunk_id, reason: outcome.refused[0]!.reason },
            }),
          );
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      complete = false;
    }
  }
  const at = options.now().toISOString();
  // The error is cleared by a run that had nothing go wrong.
  if (error === null) await store.setState(MONITOR_STATE.lastShipAt, at).catch(() => undefined);
  await store
    .setState(MONITOR_STATE.lastShipError, error === null ? '' : `${at} ${error}`)
    .catch(() => undefined);
  return { chunks_sent: sent, chunks_dead_lettered: dead, complete, error };
}
