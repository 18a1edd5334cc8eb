// One edge node's behaviour, independent of HTTP: predict and log, feedback, health, model install/rollback, sync.

import {
  ArtifactRejectedError,
  ConflictError,
  NoModelError,
  NotFoundError,
  verifiedCard,
} from '@pmm/core/http';
import type { EngineName, ModelCard, Predictor, PredictorFactory } from '@pmm/core/model';
import { parseModelCard } from '@pmm/core/model';
import type { FeatureRecord, Features } from '@pmm/core/schema';
import { modelArtifactPath, PRODUCTION_MODEL_PATH } from '@pmm/core/sync';
import { canaryProblem, PredictorCache } from './engine';
import { type Config, type Env, readConfig } from './env';
import { type DeadLetterKind, LogStore, type PredictionLogRow, STATE } from './log-store';
import { type ActivePointer, ModelStore } from './model-store';
import { type ShipResult, shipLogs } from './shipper';

/** How long an isolate trusts its copy of the KV pointer before reading it again. */
const POINTER_TTL_MS = 5_000;
/** KV key of the fallback counter, used when D1 itself refused the log write. */
const KV_FAILED_WRITES_KEY = 'stats/failed_log_writes';

export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

export interface PredictionResult {
  readonly prediction_id: string;
  readonly probability: number;
  readonly label: 0 | 1;
  readonly model_version: string;
}

interface ActiveModel {
  readonly pointer: ActivePointer;
  /** The version answering: the pointer's, or the previous one while the pointer's is not visible in KV yet. */
  readonly version: string;
  readonly card: ModelCard;
  readonly predictor: Predictor;
}

/** The pointer names a version whose card or artifact this location's KV does not show yet. */
class NotVisibleError extends NoModelError {}

/** State that lives as long as the isolate: compiled models and the cached pointer. */
export class Runtime {
  /** Every runtime of this isolate, so tests that wipe KV can drop the cached state. */
  static readonly all = new Set<Runtime>();
  readonly predictors: PredictorCache;
  pointer: { value: ActivePointer | null; at: number } | null = null;
  cards = new Map<string, ModelCard>();
  /** The version this isolate last answered with, kept to fall back on while a newer one is not visible yet. */
  serving: { version: string; sha256: string; card: ModelCard } | null = null;
  /** The pointer's version last found not visible in KV, and when: not looked up again for POINTER_TTL_MS. */
  notVisible: { version: string; at: number } | null = null;

  constructor(
    readonly engine: EngineName,
    factory: PredictorFactory,
    readonly fetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init),
    readonly now: () => Date = () => new Date(),
  ) {
    this.predictors = new PredictorCache(factory);
    Runtime.all.add(this);
  }

  /** Forgets the cached pointer and cards (compiled models stay: they are keyed by version and sha256). */
  forget(): void {
    this.pointer = null;
    this.cards.clear();
    this.serving = null;
    this.notVisible = null;
  }

  node(env: Env): EdgeNode {
    return new EdgeNode(this, readConfig(env), new LogStore(env.DB), new ModelStore(env.MODELS), env.MODELS);
  }
}

export class EdgeNode {
  constructor(
    private readonly runtime: Runtime,
    readonly config: Config,
    readonly logs: LogStore,
    readonly models: ModelStore,
    private readonly kv: KVNamespace,
  ) {}

  get engine(): EngineName {
    return this.runtime.engine;
  }

  private async pointer(fresh = false): Promise<ActivePointer | null> {
    const cached = this.runtime.pointer;
    const now = Date.now();
    if (!fresh && cached && now - cached.at < POINTER_TTL_MS) return cached.value;
    const value = await this.models.active();
    this.runtime.pointer = { value, at: now };
    return value;
  }

  private async card(version: string): Promise<ModelCard> {
    const hit = this.runtime.cards.get(version);
    if (hit) return hit;
    const card = await this.models.card(version);
    if (!card) throw new NotVisibleError(`model ${version} is active but its card is not in KV (yet)`);
    this.runtime.cards.set(version, card);
    return card;
  }

  /** One version's card and predictor, compiled once per isolate, version and sha256. */
  private async load(version: string, sha256?: string): Promise<{ card: ModelCard; predictor: Predictor }> {
    const card = await this.card(version);
    const sha = sha256 ?? card.onnx_sha256;
    const predictor = await this.runtime.predictors.get(version, sha, async () => {
      const onnx = await this.models.artifact(version, sha);
      if (!onnx) throw new NotVisibleError(`model ${version} is active but its artifact is not in KV (yet)`);
      return onnx;
    });
    this.runtime.serving = { version, sha256: sha, card };
    return { card, predictor };
  }

  /**
   * The active model. KV is eventually consistent across locations: when the pointer names a version whose
   * artifact is not visible here yet, the version this isolate served last (or else the newest previous one
   * that loads) keeps answering, and the pointer's is tried again when the cached pointer expires.
   */
  async activeModel(): Promise<ActiveModel> {
    const pointer = await this.pointer();
    if (!pointer) throw new NoModelError();
    const previous = this.runtime.serving;
    const missing = this.runtime.notVisible;
    try {
      if (missing?.version === pointer.version && Date.now() - missing.at < POINTER_TTL_MS) {
        throw new NotVisibleError(`model ${pointer.version} is active but not in KV (yet)`);
      }
      const loaded = await this.load(pointer.version, pointer.onnx_sha256);
      this.runtime.notVisible = null;
      return { pointer, version: pointer.version, ...loaded };
    } catch (err) {
      if (!(err instanceof NotVisibleError)) throw err;
      if (missing?.version !== pointer.version || Date.now() - missing.at >= POINTER_TTL_MS) {
        this.runtime.notVisible = { version: pointer.version, at: Date.now() };
        console.warn(`${err.message}: the previous version keeps answering`);
      }
      const candidates = [
        ...(previous && previous.version !== pointer.version ? [previous.version] : []),
        ...pointer.history.filter((v) => v !== previous?.version),
      ];
      for (const version of candidates) {
        try {
          const loaded = await this.load(
            version,
            version === previous?.version ? previous.sha256 : undefined,
          );
          return { pointer, version, ...loaded };
        } catch (fallbackErr) {
          if (!(fallbackErr instanceof NotVisibleError)) throw fallbackErr;
        }
      }
      throw err;
    }
  }

  /** Scores rows in order and logs them after the response (`waitUntil`); logging never fails a prediction. */
  async predict(rows: readonly Features[], ctx: WaitUntil): Promise<PredictionResult[]> {
    const { version, predictor } = await this.activeModel();
    const probabilities = await predictor.predict(rows as readonly FeatureRecord[]);
    const createdAt = this.runtime.now().toISOString();
    const results: PredictionResult[] = [];
    const logRows: PredictionLogRow[] = [];
    rows.forEach((features, i) => {
      const probability = probabilities[i]!;
      const label = probability >= 0.5 ? 1 : 0;
      const prediction_id = crypto.randomUUID();
      results.push({ prediction_id, probability, label, model_version: version });
      logRows.push({
        prediction_id,
        created_at: createdAt,
        node_id: this.config.nodeId,
        model_version: version,
        features,
        probability,
        label,
      });
    });
    ctx.waitUntil(this.writeLog(logRows));
    return results;
  }

  /** Writes the rows; on failure counts them (in D1, or in KV when D1 is what failed) and never throws. */
  async writeLog(rows: readonly PredictionLogRow[]): Promise<void> {
    try {
      await this.logs.insertPredictions(rows);
      return;
    } catch (err) {
      console.error('prediction log write failed', err instanceof Error ? err.message : err);
    }
    try {
      await this.logs.increment(STATE.failedLogWrites, rows.length);
    } catch {
      try {
        const current = Number((await this.kv.get(KV_FAILED_WRITES_KEY)) ?? 0);
        await this.kv.put(KV_FAILED_WRITES_KEY, String(current + rows.length));
      } catch (err) {
        console.error('could not count the failed log write', err instanceof Error ? err.message : err);
      }
    }
  }

  async feedback(predictionId: string, outcome: 0 | 1): Promise<{ prediction_id: string; outcome: 0 | 1 }> {
    const stored = await this.logs.recordFeedback(predictionId, outcome, this.runtime.now().toISOString());
    if (!stored) throw new NotFoundError(`no prediction ${predictionId} on this node`);
    return { prediction_id: predictionId, outcome };
  }

  async health() {
    let d1Error: string | null = null;
    let pending = { predictions: 0, feedback: 0 };
    let dead = { predictions: 0, feedback: 0 };
    let failedInD1 = 0;
    let lastSyncAt: string | null = null;
    let lastSyncError: string | null = null;
    const note = (err: unknown) => {
      d1Error ??= err instanceof Error ? err.message : String(err);
    };
    const reachable = await this.logs.ping().then(
      () => true,
      (err) => {
        note(err);
        return false;
      },
    );
    try {
      failedInD1 = Number((await this.logs.getState(STATE.failedLogWrites)) ?? 0);
      lastSyncAt = await this.logs.getState(STATE.lastSyncAt);
      lastSyncError = await this.logs.getState(STATE.lastSyncError);
    } catch (err) {
      note(err);
    }
    pending = await this.logs.pendingCounts().catch((err) => {
      note(err);
      return pending;
    });
    dead = await this.logs.deadLetterCounts().catch((err) => {
      note(err);
      return dead;
    });
    const failedInKv = Number((await this.kv.get(KV_FAILED_WRITES_KEY).catch(() => null)) ?? 0);
    const pointer = await this.pointer().catch(() => null);
    return {
      status: d1Error === null && pointer !== null ? ('ok' as const) : ('degraded' as const),
      node_id: this.config.nodeId,
      engine: this.engine,
      d1: { reachable, error: d1Error },
      model: {
        version: pointer?.version ?? null,
        activated_at: pointer?.activated_at ?? null,
        /** The version this isolate answers with: differs from `version` while that one is not visible in KV yet. */
        serving_version: this.runtime.serving?.version ?? null,
      },
      sync: {
        last_success_at: lastSyncAt,
        last_error: lastSyncError,
        pending_predictions: pending.predictions,
        pending_feedback: pending.feedback,
      },
      /** Rows the centre refused, kept with its reason and never sent again: GET /admin/dead-letters. */
      dead_letters: { predictions: dead.predictions, feedback: dead.feedback },
      failed_log_writes: failedInD1 + failedInKv,
    };
  }

  /** One page of dead letters of a kind, oldest first, and how many there are in all. */
  async deadLetters(kind: DeadLetterKind, limit: number, offset: number) {
    const counts = await this.logs.deadLetterCounts();
    const rows =
      kind === 'prediction'
        ? await this.logs.deadPredictions(limit, offset)
        : await this.logs.deadFeedback(limit, offset);
    return { kind, total: kind === 'prediction' ? counts.predictions : counts.feedback, rows };
  }

  /** Null when ready; otherwise why not. Loading the model here also warms the isolate's session. */
  async notReadyReason(): Promise<string | null> {
    try {
      await this.activeModel();
    } catch (err) {
      return `model not loaded: ${err instanceof Error ? err.message : String(err)}`;
    }
    try {
      await this.logs.ping();
    } catch (err) {
      return `D1 not answering: ${err instanceof Error ? err.message : String(err)}`;
    }
    return null;
  }

  async modelInfo() {
    const { pointer, version, card } = await this.activeModel();
    return {
      version: card.version,
      created_at: card.created_at,
      sha256: card.onnx_sha256,
      parent_version: card.parent_version,
      metrics: card.metrics,
      activated_at: pointer.activated_at,
      engine: this.engine,
      previous_versions: [...pointer.history],
      // Activated, but not visible in this location's KV yet: `version` answers meanwhile.
      ...(version === pointer.version ? {} : { pending_version: pointer.version }),
    };
  }

  /**
   * Verifies (sha256, compiles, canary row) and activates a model. A refused artifact throws 422 and the
   * active model keeps serving; the pointer key is written last, so a half-written install is never active.
   */
  async installModel(cardInput: unknown, onnx: Uint8Array) {
    const card = await verifiedCard(cardInput, onnx);
    // An imported model states which engines can serve it (model.json `serving`); refuse with its reason.
    if (card.serving && !card.serving.engines.includes(this.engine))
      throw new ArtifactRejectedError(
        'engine_unsupported',
        `the ${this.engine} engine cannot serve ${card.version}: ${card.serving.lite_refusal ?? `it is served by ${card.serving.engines.join(', ')} only`}`,
      );
    let predictor: Predictor;
    try {
      predictor = await this.runtime.predictors.create(onnx);
    } catch (err) {
      throw new ArtifactRejectedError(
        'invalid_artifact',
        `the ${this.engine} engine cannot load the artifact: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const problem = await canaryProblem(predictor);
    if (problem) throw new ArtifactRejectedError('canary_failed', problem);

    const previous = (await this.models.active())?.version ?? null;
    const pointer = await this.models.install(card, onnx, this.runtime.now().toISOString());
    this.runtime.cards.set(card.version, card);
    this.runtime.predictors.put(card.version, card.onnx_sha256, predictor);
    this.runtime.pointer = { value: pointer, at: Date.now() };
    return { version: card.version, previous_version: previous, activated_at: pointer.activated_at };
  }

  async rollback() {
    const result = await this.models.rollback(this.runtime.now().toISOString());
    if (!result)
      throw new ConflictError('no_previous_model', 'there is no previous model version to roll back to');
    this.runtime.pointer = { value: result.pointer, at: Date.now() };
    return {
      version: result.pointer.version,
      rolled_back_from: result.from,
      activated_at: result.pointer.activated_at,
    };
  }

  sync(): Promise<ShipResult> {
    return shipLogs({
      logs: this.logs,
      syncUrl: this.config.syncUrl,
      nodeId: this.config.nodeId,
      ingestToken: this.config.ingestToken,
      shipFeatures: this.config.shipFeatures,
      fetch: this.runtime.fetch,
      now: this.runtime.now,
    });
  }

  /**
   * Installs the centre's production model when it differs from the active one (a missed push).
   * Versions rolled back from on this node are skipped. Any failure means "try next time".
   */
  async pullProductionModel(): Promise<{
    status: 'installed' | 'current' | 'skipped' | 'failed';
    detail: string;
  }> {
    const headers: Record<string, string> = {};
    if (this.config.ingestToken) headers.authorization = `Bearer ${this.config.ingestToken}`;
    try {
      const cardResponse = await this.runtime.fetch(`${this.config.syncUrl}${PRODUCTION_MODEL_PATH}`, {
        headers,
        signal: AbortSignal.timeout(15_000),
      });
      if (!cardResponse.ok) throw new Error(`GET ${PRODUCTION_MODEL_PATH}: HTTP ${cardResponse.status}`);
      const card = parseModelCard(await cardResponse.json());
      const active = await this.pointer(true);
      if (active?.version === card.version) return { status: 'current', detail: card.version };
      if (active?.rolled_back.includes(card.version)) {
        return { status: 'skipped', detail: `${card.version} was rolled back on this node` };
      }
      const path = modelArtifactPath(card.version);
      const artifact = await this.runtime.fetch(`${this.config.syncUrl}${path}`, {
        headers,
        signal: AbortSignal.timeout(60_000),
      });
      if (!artifact.ok) throw new Error(`GET ${path}: HTTP ${artifact.status}`);
      const installed = await this.installModel(card, new Uint8Array(await artifact.arrayBuffer()));
      await this.logs
        .setState(STATE.lastModelPullAt, this.runtime.now().toISOString())
        .catch(() => undefined);
      return { status: 'installed', detail: installed.version };
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      await this.logs.setState(STATE.lastModelPullError, detail).catch(() => undefined);
      return { status: 'failed', detail };
    }
  }
}
