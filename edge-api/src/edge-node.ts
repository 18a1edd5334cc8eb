// One edge node's behaviour, independent of HTTP: predict and log, feedback, health, model install/rollback, sync.

import {
  ApiError,
  ArtifactRejectedError,
  ConflictError,
  NoModelError,
  NotFoundError,
  verifiedCard,
} from '@pmm/core/http';
import type { EngineName, ModelCard, Predictor, PredictorFactory } from '@pmm/core/model';
import { modelSchemaOf, parseModelCard } from '@pmm/core/model';
import { type FeatureRecord, type RequestValidator, requestValidatorFor } from '@pmm/core/schema';
import {
  modelArtifactPath,
  modelNameProblem,
  PRODUCTION_MODEL_PATH,
  SERVED_MODELS_PATH,
  servedModelsResponseSchema,
} from '@pmm/core/sync';
import { canaryRow } from './canary-row';
import { canaryProblem, PredictorCache } from './engine';
import { type Config, type Env, readConfig } from './env';
import { type DeadLetterKind, LogStore, type PredictionLogRow, STATE } from './log-store';
import { type ActivePointer, ModelStore } from './model-store';
import { type ShipResult, shipLogs } from './shipper';

/** How long an isolate trusts its copy of a KV pointer (and of the list of names) before reading it again. */
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

export interface ActiveModel {
  readonly name: string;
  readonly pointer: ActivePointer;
  /** The version answering: the pointer's, or the previous one while the pointer's is not visible in KV yet. */
  readonly version: string;
  readonly card: ModelCard;
  readonly predictor: Predictor;
}

/** What one pull did for one model name. */
export interface PullResult {
  readonly name: string;
  /** `none`: the centre serves no production model under this name. */
  readonly status: 'installed' | 'current' | 'skipped' | 'failed' | 'none';
  readonly detail: string;
}

/** The pointer names a version whose card or artifact this location's KV does not show yet. */
class NotVisibleError extends NoModelError {}

/** A path or query `name` that is not a model name: 400 naming `name`. */
export class InvalidModelNameError extends ApiError {
  constructor(problem: string) {
    super(400, 'invalid_model_name', problem, [{ path: 'name', message: problem }]);
    this.name = 'InvalidModelNameError';
  }
}

/** No model is served under this name on this node: 404 naming the model. */
export class UnknownModelError extends ApiError {
  constructor(name: string) {
    super(404, 'unknown_model', `no model named "${name}" is served on this node (GET /api/v1/models)`);
    this.name = 'UnknownModelError';
  }
}

/** A name from a URL or query: checked, or a 400 naming `name`. */
export function checkedModelName(name: string): string {
  const problem = modelNameProblem(name);
  if (problem) throw new InvalidModelNameError(problem);
  return name;
}

/** One model name's isolate state: the cached pointer, what answered last, what was not visible. */
export interface ModelSlot {
  pointer: { value: ActivePointer | null; at: number } | null;
  /** The version this isolate last answered with, kept to fall back on while a newer one is not visible yet. */
  serving: { version: string; sha256: string; card: ModelCard } | null;
  /** The pointer's version last found not visible in KV, and when: not looked up again for POINTER_TTL_MS. */
  notVisible: { version: string; at: number } | null;
}

/** State that lives as long as the isolate: compiled models and, per model name, the cached pointer. */
export class Runtime {
  /** Every runtime of this isolate, so tests that wipe KV can drop the cached state. */
  static readonly all = new Set<Runtime>();
  readonly predictors: PredictorCache;
  readonly slots = new Map<string, ModelSlot>();
  /** Cards by `name` + version (a card never changes once installed). */
  readonly cards = new Map<string, ModelCard>();
  names: { value: string[]; at: number } | null = null;

  constructor(
    readonly engine: EngineName,
    factory: PredictorFactory,
    readonly fetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init),
    readonly now: () => Date = () => new Date(),
  ) {
    this.predictors = new PredictorCache(factory);
    Runtime.all.add(this);
  }

  slot(name: string): ModelSlot {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = { pointer: null, serving: null, notVisible: null };
      this.slots.set(name, slot);
    }
    return slot;
  }

  /** Forgets the cached pointers and cards (compiled models stay: they are keyed by version and sha256). */
  forget(): void {
    this.slots.clear();
    this.cards.clear();
    this.names = null;
  }

  /** As if every cached pointer (and "not visible" note) had expired; what answered last is kept. */
  expirePointers(): void {
    for (const slot of this.slots.values()) {
      slot.pointer = null;
      slot.notVisible = null;
    }
    this.names = null;
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

  get defaultModel(): string {
    return this.config.defaultModel;
  }

  private async pointer(name: string, fresh = false): Promise<ActivePointer | null> {
    const slot = this.runtime.slot(name);
    const cached = slot.pointer;
    const now = Date.now();
    if (!fresh && cached && now - cached.at < POINTER_TTL_MS) return cached.value;
    const value = await this.models.active(name);
    slot.pointer = { value, at: now };
    return value;
  }

  /** Every name with an installed model, sorted (cached like a pointer). */
  async names(fresh = false): Promise<string[]> {
    const cached = this.runtime.names;
    const now = Date.now();
    if (!fresh && cached && now - cached.at < POINTER_TTL_MS) return cached.value;
    const value = await this.models.names();
    this.runtime.names = { value, at: now };
    return value;
  }

  private async card(name: string, version: string): Promise<ModelCard> {
    const key = `${name}\n${version}`;
    const hit = this.runtime.cards.get(key);
    if (hit) return hit;
    const card = await this.models.card(version, name);
    if (!card)
      throw new NotVisibleError(`model ${name} ${version} is active but its card is not in KV (yet)`);
    this.runtime.cards.set(key, card);
    return card;
  }

  /** One version's card and predictor, compiled once per isolate, version and sha256. */
  private async load(
    name: string,
    version: string,
    sha256?: string,
  ): Promise<{ card: ModelCard; predictor: Predictor }> {
    const card = await this.card(name, version);
    const sha = sha256 ?? card.onnx_sha256;
    const predictor = await this.runtime.predictors.get(version, sha, async () => {
      const onnx = await this.models.artifact(version, sha);
      if (!onnx)
        throw new NotVisibleError(`model ${name} ${version} is active but its artifact is not in KV (yet)`);
      return onnx;
    });
    this.runtime.slot(name).serving = { version, sha256: sha, card };
    return { card, predictor };
  }

  /** Throws 404 naming the model when nothing is installed under `name` here. */
  async requireServed(name: string): Promise<void> {
    if (!(await this.pointer(name))) throw new UnknownModelError(name);
  }

  /**
   * The active model of a name (the default model when none is given). KV is eventually consistent across
   * locations: when the pointer names a version whose artifact is not visible here yet, the version this isolate
   * served last (or else the newest previous one that loads) keeps answering, and the pointer's is tried again
   * when the cached pointer expires.
   */
  async activeModel(name: string = this.defaultModel): Promise<ActiveModel> {
    const pointer = await this.pointer(name);
    if (!pointer)
      throw new NoModelError(
        name === this.defaultModel
          ? 'no model is installed on this node'
          : `no model named "${name}" is installed on this node`,
      );
    const slot = this.runtime.slot(name);
    const previous = slot.serving;
    const missing = slot.notVisible;
    try {
      if (missing?.version === pointer.version && Date.now() - missing.at < POINTER_TTL_MS) {
        throw new NotVisibleError(`model ${name} ${pointer.version} is active but not in KV (yet)`);
      }
      const loaded = await this.load(name, pointer.version, pointer.onnx_sha256);
      slot.notVisible = null;
      return { name, pointer, version: pointer.version, ...loaded };
    } catch (err) {
      if (!(err instanceof NotVisibleError)) throw err;
      if (missing?.version !== pointer.version || Date.now() - missing.at >= POINTER_TTL_MS) {
        slot.notVisible = { version: pointer.version, at: Date.now() };
        console.warn(`${err.message}: the previous version keeps answering`);
      }
      const candidates = [
        ...(previous && previous.version !== pointer.version ? [previous.version] : []),
        ...pointer.history.filter((v) => v !== previous?.version),
      ];
      for (const version of candidates) {
        try {
          const loaded = await this.load(
            name,
            version,
            version === previous?.version ? previous.sha256 : undefined,
          );
          return { name, pointer, version, ...loaded };
        } catch (fallbackErr) {
          if (!(fallbackErr instanceof NotVisibleError)) throw fallbackErr;
        }
      }
      throw err;
    }
  }

  /** The request validator of the model answering (built from its schema once per name and version). */
  validator(model: ActiveModel): RequestValidator {
    return requestValidatorFor(`${model.name}@${model.version}`, modelSchemaOf(model.card));
  }

  /** Scores rows with a name's active model (the default model's when none is given); see `score`. */
  async predict(
    rows: readonly FeatureRecord[],
    ctx: WaitUntil,
    name: string = this.defaultModel,
  ): Promise<PredictionResult[]> {
    return this.score(await this.activeModel(name), rows, ctx);
  }

  /** Scores rows in order and logs them after the response (`waitUntil`); logging never fails a prediction. */
  async score(
    model: ActiveModel,
    rows: readonly FeatureRecord[],
    ctx: WaitUntil,
  ): Promise<PredictionResult[]> {
    const { name, version, predictor } = model;
    const probabilities = await predictor.predict(rows);
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
        model_name: name,
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
    const names = await this.names().catch(() => [] as string[]);
    const models = await Promise.all(
      [...new Set([this.defaultModel, ...names])].map(async (name) => {
        const pointer = await this.pointer(name).catch(() => null);
        return {
          name,
          version: pointer?.version ?? null,
          activated_at: pointer?.activated_at ?? null,
          /** The version this isolate answers with: differs from `version` while that one is not visible in KV yet. */
          serving_version: this.runtime.slot(name).serving?.version ?? null,
        };
      }),
    );
    const { name: _, ...model } = models[0]!;
    return {
      status: d1Error === null && model.version !== null ? ('ok' as const) : ('degraded' as const),
      node_id: this.config.nodeId,
      engine: this.engine,
      d1: { reachable, error: d1Error },
      /** The default model (`DEFAULT_MODEL`): what `POST /api/v1/predict` serves. */
      default_model: this.defaultModel,
      model,
      /** Every model installed here (and the default one, installed or not), by name. */
      models: models.filter((m) => m.version !== null || m.name === this.defaultModel),
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

  /** The active model's metadata (the default model's when no name is given). */
  async modelInfo(name: string = this.defaultModel) {
    const { pointer, version, card } = await this.activeModel(name);
    return {
      name,
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

  /** Every installed model: its name, the version answering and its schema (features, target, task). */
  async listModels() {
    const names = await this.names();
    const models = [];
    for (const name of names) {
      const described = await this.describe(name);
      if (described) models.push(described);
    }
    return { default_model: this.defaultModel, models };
  }

  /** A name's version and schema from its card, without compiling the model; null when nothing is visible. */
  private async describe(name: string) {
    const pointer = await this.pointer(name);
    if (!pointer) return null;
    const serving = this.runtime.slot(name).serving?.version;
    const candidates = [
      pointer.version,
      ...(serving && serving !== pointer.version ? [serving] : []),
      ...pointer.history,
    ];
    for (const version of candidates) {
      let card: ModelCard;
      try {
        card = await this.card(name, version);
      } catch (err) {
        if (err instanceof NotVisibleError) continue;
        throw err;
      }
      const schema = modelSchemaOf(card);
      return {
        name,
        version,
        default: name === this.defaultModel,
        activated_at: pointer.activated_at,
        task: schema.task,
        target: schema.target,
        features: schema.features,
      };
    }
    return null;
  }

  /**
   * Verifies (sha256, compiles, canary row) and activates a model. A refused artifact throws 422 and the
   * active model keeps serving; the pointer key is written last, so a half-written install is never active.
   */
  async installModel(cardInput: unknown, onnx: Uint8Array, name: string = this.defaultModel) {
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
    const problem = await canaryProblem(predictor, canaryRow(modelSchemaOf(card)));
    if (problem) throw new ArtifactRejectedError('canary_failed', problem);

    const previous = (await this.models.active(name))?.version ?? null;
    const pointer = await this.models.install(card, onnx, this.runtime.now().toISOString(), name);
    this.runtime.cards.set(`${name}\n${card.version}`, card);
    this.runtime.predictors.put(card.version, card.onnx_sha256, predictor);
    this.runtime.slot(name).pointer = { value: pointer, at: Date.now() };
    this.runtime.names = null;
    return { name, version: card.version, previous_version: previous, activated_at: pointer.activated_at };
  }

  /**
   * Re-activates a name's previous version (the default model's when none is given): 409 when there is none,
   * 404 for a name nothing was ever installed under (the default model keeps the single-model edge's 409).
   */
  async rollback(name: string = this.defaultModel) {
    if (name !== this.defaultModel && !(await this.pointer(name, true))) throw new UnknownModelError(name);
    const result = await this.models.rollback(this.runtime.now().toISOString(), name);
    if (!result)
      throw new ConflictError(
        'no_previous_model',
        `there is no previous version of model "${name}" to roll back to`,
      );
    this.runtime.slot(name).pointer = { value: result.pointer, at: Date.now() };
    return {
      name,
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
   * Installs, per name the centre serves (`GET /v1/served-models`), its production version when it differs from
   * the active one (a missed push). Versions rolled back from on this node are skipped. A centre without that
   * route (404) is asked for its single production model (`/v1/models/@production`), installed as the default
   * model. Any failure means "try next time"; names the centre no longer serves stay installed.
   */
  async pullModels(): Promise<PullResult[]> {
    let served: { name: string; version: string }[] | null;
    try {
      const response = await this.get(SERVED_MODELS_PATH, 15_000);
      if (response.status === 404) served = null;
      else {
        if (!response.ok) throw new Error(`GET ${SERVED_MODELS_PATH}: HTTP ${response.status}`);
        const parsed = servedModelsResponseSchema.safeParse(await response.json());
        if (!parsed.success)
          throw new Error(
            `GET ${SERVED_MODELS_PATH}: unreadable answer (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
          );
        served = parsed.data.models;
      }
    } catch (err) {
      return [await this.pullFailed(this.defaultModel, err)];
    }
    if (served === null) return [await this.pullLegacy()];
    const results: PullResult[] = [];
    for (const { name, version } of served) results.push(await this.pullOne(name, version));
    if (!served.some((m) => m.name === this.defaultModel))
      results.push({
        name: this.defaultModel,
        status: 'none',
        detail: `the centre serves no production model named "${this.defaultModel}"`,
      });
    return results;
  }

  /** The default model's part of `pullModels`, in the single-model edge's shape. */
  async pullProductionModel(): Promise<Omit<PullResult, 'name'>> {
    const results = await this.pullModels();
    const { name: _, ...result } = results.find((r) => r.name === this.defaultModel) ?? results[0]!;
    return result;
  }

  private get(path: string, timeoutMs: number): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.config.ingestToken) headers.authorization = `Bearer ${this.config.ingestToken}`;
    return this.runtime.fetch(`${this.config.syncUrl}${path}`, {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
  }

  private async pullFailed(name: string, err: unknown): Promise<PullResult> {
    const detail = err instanceof Error ? err.message : String(err);
    await this.logs
      .setState(STATE.lastModelPullError, name === this.defaultModel ? detail : `${name}: ${detail}`)
      .catch(() => undefined);
    return { name, status: 'failed', detail };
  }

  /** A centre from before named models: its one production model is the default model. */
  private async pullLegacy(): Promise<PullResult> {
    const name = this.defaultModel;
    try {
      const response = await this.get(PRODUCTION_MODEL_PATH, 15_000);
      if (!response.ok) throw new Error(`GET ${PRODUCTION_MODEL_PATH}: HTTP ${response.status}`);
      return await this.installPulled(name, parseModelCard(await response.json()));
    } catch (err) {
      return this.pullFailed(name, err);
    }
  }

  private async pullOne(name: string, version: string): Promise<PullResult> {
    try {
      const active = await this.pointer(name, true);
      if (active?.version === version) return { name, status: 'current', detail: version };
      if (active?.rolled_back.includes(version))
        return { name, status: 'skipped', detail: `${version} was rolled back on this node` };
      const path = `/v1/models/${encodeURIComponent(version)}`;
      const response = await this.get(path, 15_000);
      if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
      return await this.installPulled(name, parseModelCard(await response.json()));
    } catch (err) {
      return this.pullFailed(name, err);
    }
  }

  private async installPulled(name: string, card: ModelCard): Promise<PullResult> {
    const active = await this.pointer(name, true);
    if (active?.version === card.version) return { name, status: 'current', detail: card.version };
    if (active?.rolled_back.includes(card.version))
      return { name, status: 'skipped', detail: `${card.version} was rolled back on this node` };
    const path = modelArtifactPath(card.version);
    const artifact = await this.get(path, 60_000);
    if (!artifact.ok) throw new Error(`GET ${path}: HTTP ${artifact.status}`);
    const installed = await this.installModel(card, new Uint8Array(await artifact.arrayBuffer()), name);
    await this.logs.setState(STATE.lastModelPullAt, this.runtime.now().toISOString()).catch(() => undefined);
    return { name, status: 'installed', detail: installed.version };
  }
}
