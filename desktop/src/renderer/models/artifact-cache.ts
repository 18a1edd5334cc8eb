// Model artifacts in the app: each version's model.onnx downloaded once from the sync server (with the app's read
// token), checked against the card's `onnx_sha256` (Web Crypto) and kept in IndexedDB, so inference works offline.
import { sha256Hex } from '@pmm/core/data';
import { type ModelCard, parseModelCard } from '@pmm/core/model';
import type { ArtifactRow, PmmDb } from '../store/db';

/** Where the sync server is and the token the app reads with (null: offline-only, the cache must hold it). */
export interface ArtifactSource {
  readonly url: string;
  readonly readToken: string;
}

export class ArtifactCacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactCacheError';
  }
}

export interface LoadedArtifact {
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
  /** True when this call downloaded it; false when it came from IndexedDB. */
  readonly downloaded: boolean;
}

const base = (source: ArtifactSource) => source.url.replace(/\/+$/, '');

async function get(source: ArtifactSource, path: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${base(source)}${path}`, {
      headers: source.readToken ? { authorization: `Bearer ${source.readToken}` } : {},
    });
  } catch (e) {
    throw new ArtifactCacheError(`the sync server is unreachable (${(e as Error).message})`);
  }
  if (!response.ok) {
    let detail = '';
    try {
      const body = (await response.json()) as { error?: { message?: string } };
      detail = body.error?.message ? `: ${body.error.message}` : '';
    } catch {}
    throw new ArtifactCacheError(`GET ${path} answered ${response.status}${detail}`);
  }
  return response;
}

/** The version's card: the synced one, else `GET /v1/models/{version}` when a server is set. */
export async function cardOf(db: PmmDb, version: string, source: ArtifactSource | null): Promise<ModelCard> {
  const row = await db.models.get(version);
  if (row?.card) return parseModelCard(row.card);
  if (!source) throw new ArtifactCacheError(`model ${version} is not in the local store (sync it first)`);
  const body = (await (await get(source, `/v1/models/${encodeURIComponent(version)}`)).json()) as Record<
    string,
    unknown
  >;
  return parseModelCard(body);
}

/**
 * The version's card and model.onnx: from IndexedDB when held (and still matching the card), else downloaded,
 * checked against `onnx_sha256` and stored. A mismatch is refused and nothing is stored.
 */
export function loadArtifact(
  db: PmmDb,
  version: string,
  source: ArtifactSource | null,
): Promise<LoadedArtifact> {
  // One load per version at a time: concurrent callers share it (and a download happens once).
  let pending = inFlight.get(version);
  if (!pending) {
    pending = load(db, version, source).finally(() => inFlight.delete(version));
    inFlight.set(version, pending);
  }
  return pending;
}

const inFlight = new Map<string, Promise<LoadedArtifact>>();

async function load(db: PmmDb, version: string, source: ArtifactSource | null): Promise<LoadedArtifact> {
  const card = await cardOf(db, version, source);
  const held = await db.artifacts.get(version);
  if (held && held.sha256 === card.onnx_sha256) return { card, onnx: held.bytes, downloaded: false };
  if (!source)
    throw new ArtifactCacheError(
      `model.onnx of ${version} has not been downloaded yet: connect to the sync server once`,
    );
  const response = await get(source, `/v1/models/${encodeURIComponent(version)}/artifact`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const actual = await sha256Hex(bytes);
  if (actual !== card.onnx_sha256)
    throw new ArtifactCacheError(
      `model.onnx of ${version} does not match its card: sha256 ${actual}, expected ${card.onnx_sha256}`,
    );
  const row: ArtifactRow = { version, sha256: actual, bytes, fetched_at: Date.now() };
  await db.artifacts.put(row);
  return { card, onnx: bytes, downloaded: true };
}

/** Downloads every listed version not yet held; returns how many were fetched and the failures by version. */
export async function prefetchArtifacts(
  db: PmmDb,
  versions: readonly string[],
  source: ArtifactSource,
): Promise<{ fetched: number; held: number; failed: Record<string, string> }> {
  let fetched = 0;
  let held = 0;
  const failed: Record<string, string> = {};
  for (const version of versions) {
    try {
      const a = await loadArtifact(db, version, source);
      if (a.downloaded) fetched++;
      else held++;
    } catch (e) {
      failed[version] = (e as Error).message;
    }
  }
  return { fetched, held, failed };
}
