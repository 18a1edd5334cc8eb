// The edge monitor as one object per request or cron run: chunking the log, the report, detectors, shipping
// profiles, and its part of /healthz. Built from the worker's bindings and the isolate's runtime.
import { DEFAULT_MODEL_NAME } from '@pmm/core/sync';
import type { Runtime } from '../edge-node';
import { type Env, readConfig } from '../env';
import { type ChunkRunResult, chunkLog } from './chunker';
import { feedDetectors } from './detectors';
import { type MonitorQuery, monitorReport } from './monitor';
import { type ProfileShipResult, shipProfiles } from './profile-shipper';
import { MONITOR_STATE, ProfileStore } from './profile-store';

export { INGEST_PROFILES_PATH } from './profile-shipper';

export class EdgeMonitor {
  readonly store: ProfileStore;
  readonly defaultModel: string;

  constructor(
    private readonly env: Env,
    private readonly runtime: Pick<Runtime, 'fetch' | 'now'>,
  ) {
    // The model the unnamed routes serve (DEFAULT_MODEL where the node serves several models).
    this.defaultModel = (env as { DEFAULT_MODEL?: string }).DEFAULT_MODEL || DEFAULT_MODEL_NAME;
    this.store = new ProfileStore(env.DB, this.defaultModel);
  }

  /** Turns new log rows and outcomes into chunks. */
  chunk(maxRows?: number): Promise<ChunkRunResult> {
    return chunkLog(this.store, this.env.MODELS, this.runtime.now(), maxRows);
  }

  report(query: MonitorQuery) {
    return monitorReport(
      { store: this.store, kv: this.env.MODELS, now: this.runtime.now(), defaultModel: this.defaultModel },
      query,
    );
  }

  ship(): Promise<ProfileShipResult> {
    const config = readConfig(this.env);
    return shipProfiles({
      store: this.store,
      syncUrl: config.syncUrl,
      nodeId: config.nodeId,
      ingestToken: config.ingestToken,
      fetch: this.runtime.fetch,
      now: this.runtime.now,
    });
  }

  /** The cron's part: chunk, feed the detectors of the versions that got rows, ship closed chunks. */
  async cron() {
    const chunked = await this.chunk();
    for (const version of chunked.versions) await feedDetectors(this.store, version, this.runtime.now());
    const shipped = await this.ship();
    return { chunked, shipped };
  }

  /** For /healthz: chunks, shipping, and rows that cannot be profiled. */
  async health() {
    const counts = await this.store.chunkCounts();
    const state = async (key: string) => (await this.store.getState(key)) || null;
    return {
      chunks: counts.chunks,
      pending_chunks: counts.pending,
      shipped_chunks: counts.shipped,
      dead_letters: counts.dead,
      chunked_upto: Number((await state(MONITOR_STATE.watermark)) ?? 0),
      last_chunked_at: await state(MONITOR_STATE.caughtUpAt),
      last_ship_at: await state(MONITOR_STATE.lastShipAt),
      last_ship_error: await state(MONITOR_STATE.lastShipError),
      unprofiled_rows: Number((await state(MONITOR_STATE.unprofiledRows)) ?? 0),
      unprofiled_reason: await state(MONITOR_STATE.unprofiledReason),
    };
  }
}
