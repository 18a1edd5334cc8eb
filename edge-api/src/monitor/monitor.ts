// The edge monitor's report for one model over a window, from this node alone: the profile of its traffic
// (closed chunks from D1, the live tail and the window's ragged ends from the log), its drift against the
// model's reference, CBPE from the score bins, and the detectors on the score stream.
import { ApiError, NoModelError, NotFoundError, ValidationError } from '@pmm/core/http';
import {
  estimateFromProfile,
  mergeProfiles,
  type Profile,
  ProfileBuilder,
  type ProfileSpec,
  parseProfile,
  profileDriftReport,
} from '@pmm/core/profile';
import { CHUNK_MS, chunkStartMs, profileOfLog } from './chunker';
import { type DetectorView, feedDetectors } from './detectors';
import { cbpeFitOf, resolveModel, specOf } from './models';
import type { ProfileStore } from './profile-store';

/** The default window: the last hour. */
export const DEFAULT_WINDOW_MS = 60 * 60_000;
/** The longest window one request may ask for. */
export const MAX_WINDOW_MS = 31 * 24 * 60 * 60_000;

export interface MonitorQuery {
  readonly model?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
}

export interface MonitorDeps {
  readonly store: ProfileStore;
  readonly kv: KVNamespace;
  readonly now: Date;
  readonly defaultModel: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const MAX_ROWID = Number.MAX_SAFE_INTEGER;

/** The window asked for: [since, until), defaulting to the hour before now; 422 naming the field when wrong. */
export function monitorWindow(query: MonitorQuery, now: Date): { since: number; until: number } {
  const until = query.until !== undefined ? Date.parse(query.until) : now.getTime();
  const since = query.since !== undefined ? Date.parse(query.since) : until - DEFAULT_WINDOW_MS;
  if (since >= until)
    throw new ValidationError([
      { path: query.until !== undefined ? 'until' : 'since', message: 'since must be before until' },
    ]);
  if (until - since > MAX_WINDOW_MS)
    throw new ValidationError([{ path: 'since', message: 'the window is at most 31 days' }]);
  return { since, until };
}

/** The version's traffic in [since, until) as one profile, and where it came from. */
async function windowProfile(
  store: ProfileStore,
  spec: ProfileSpec,
  version: string,
  since: number,
  until: number,
): Promise<{ profile: Profile; chunks: number; log_rows: number }> {
  const parts: Profile[] = [];
  let logRows = 0;
  const fromLog = async (from: number, to: number, after: number) => {
    if (from >= to) return;
    const { profile, rows } = await profileOfLog(store, spec, version, iso(from), iso(to), after, MAX_ROWID);
    logRows += rows;
    if (rows > 0) parts.push(profile);
  };
  // Whole chunks inside the window come from D1, plus the rows the chunker has not reached (the live tail);
  // the ragged ends of the window are read from the log.
  const first = Math.ceil(since / CHUNK_MS) * CHUNK_MS;
  const last = chunkStartMs(until);
  let chunks = 0;
  if (first < last) {
    const stored = await store.chunksWithWatermark(version, iso(first), iso(last));
    for (const c of stored.chunks) {
      if (c.rows === 0) continue;
      parts.push(parseProfile(c.profile, `chunk ${c.chunk_id}`));
      chunks++;
    }
    await fromLog(first, last, stored.watermark);
    await fromLog(since, first, 0);
    await fromLog(last, until, 0);
  } else await fromLog(since, until, 0);
  const profile = parts.length > 0 ? mergeProfiles(parts) : new ProfileBuilder(spec).build();
  return { profile, chunks, log_rows: logRows };
}

/** Metric results with NaN (no labels yet) as null, as `pmm estimate --format json` writes them. */
const finite = <T>(value: T): T =>
  JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)),
  ) as T;

export async function monitorReport(deps: MonitorDeps, query: MonitorQuery) {
  const { store, kv, now } = deps;
  const { since, until } = monitorWindow(query, now);
  const name = query.model ?? deps.defaultModel;
  const model = await resolveModel(kv, name);
  if (!model) {
    if (query.model === undefined) throw new NoModelError();
    throw new NotFoundError(`no model named "${name}" is served on this node`);
  }
  const spec = specOf(model.card);
  if (!spec.ok) throw new ApiError(409, 'not_monitorable', spec.reason);
  const { profile, chunks, log_rows } = await windowProfile(store, spec.spec, model.version, since, until);
  const notes: string[] = [];
  let drift: ReturnType<typeof profileDriftReport> | null = null;
  let estimated: { roc_auc: unknown; accuracy: unknown } | null = null;
  if (profile.rows === 0) notes.push(`no predictions of ${model.version} in the window`);
  else {
    const why = (err: unknown) => (err instanceof Error ? err.message : String(err));
    try {
      drift = profileDriftReport(model.card.reference_profile, spec.spec, profile);
    } catch (err) {
      notes.push(`no drift report: ${why(err)}`);
    }
    const fit = cbpeFitOf(model.card);
    if (!fit.ok) notes.push(`no performance estimate: ${fit.reason}`);
    else {
      try {
        const estimate = estimateFromProfile(fit.fit, profile.score);
        estimated = finite({ roc_auc: estimate.metrics.roc_auc, accuracy: estimate.metrics.accuracy });
      } catch (err) {
        notes.push(`no performance estimate: ${why(err)}`);
      }
    }
  }
  const detectors: DetectorView[] = await feedDetectors(store, model.version, now);
  return {
    model: model.name,
    version: model.version,
    window: { since: iso(since), until: iso(until) },
    rows: profile.rows,
    /** Whole chunks read from D1, and rows read from the log (the live tail and the window's ragged ends). */
    source: { chunks, log_rows },
    drift: drift && finite(drift),
    estimated_performance: estimated,
    detectors,
    notes,
  };
}
