// Retraining runs: started by hand, after a drifted report of the production model, or on a schedule. Each
// run trains in a worker thread, registers the new version as `challenger` and (optionally) promotes it.

import { ApiError, ConflictError, NotFoundError } from '@pmm/core/http';
import { type ModelCard, modelSchemaOf, parseModelCard, verifyArtifact } from '@pmm/core/model';
import { DEFAULT_MODEL_NAME } from '@pmm/core/sync';
import { hasPolicy, type RetrainOptions } from '../config';
import type { Executor } from '../db/client';
import type { StoredDriftReport } from '../db/drift';
import type { MonitorWindow } from '../db/monitor';
import { getArtifact, getModel, insertModel, listModels, modelOrigin, resolveAlias } from '../db/registry';
import {
  failAbandonedRuns,
  finishRun,
  insertRun,
  labelledPredictions,
  lockRetrain,
  type RetrainRun,
  runForVersionSince,
  runningRun,
} from '../db/retrain';
import { multivariateAlert } from '../monitor/multivariate';
import { estimatedDrop } from '../monitor/performance';
import type { Ready } from '../ready';
import { notifyShapeChange } from '../shapes';
import { moveAlias } from './aliases';
import type { RetrainJobInput, RetrainJobResult } from './job';
import { startWorkerJob, type WorkerJob } from './run-worker';
import { retrainScope, trainingDataFor } from './scope';

export type RetrainTrigger = 'manual' | 'drift' | 'schedule' | 'estimated_drop' | 'multivariate';

/** Labelled predictions read per run at most (the newest feedback first). */
export const MAX_LABELLED_ROWS = 200_000;

export const RETRAINER_ACTOR = 'retrainer';

export interface RetrainerDeps {
  /** The ready store (throws 503 while starting). */
  readonly ready: () => Ready;
  readonly options: () => RetrainOptions;
  readonly log: (message: string) => void;
  /** Runs the job; the default trains in a worker thread. */
  readonly startJob?: (input: RetrainJobInput) => WorkerJob;
}

interface Current {
  readonly id: string;
  job: WorkerJob | null;
  readonly done: Promise<void>;
}

export class Retrainer {
  #current: Current | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Start transactions in flight: close() waits for them, so a run it races with is recorded, not left running. */
  readonly #starting = new Set<Promise<unknown>>();

  constructor(private readonly deps: RetrainerDeps) {}

  /** The run in progress in this process, if any. */
  get currentRunId(): string | null {
    return this.#current?.id ?? null;
  }

  /** Resolves when no run of this process is in progress. */
  async whenIdle(): Promise<void> {
    while (this.#current) await this.#current.done;
  }

  /**
   * Starts a run of model `name` (default churn; 202 semantics: returns once it is recorded as running). 409
   * when one is running already; 422 for a model pmm did not train (see ./scope.ts).
   */
  async start(
    trigger: RetrainTrigger,
    extra: { reason?: string | undefined; driftReport?: StoredDriftReport; name?: string } = {},
  ): Promise<RetrainRun> {
    const run = await this.#begin(trigger, extra, null);
    return run!;
  }

  async #begin(
    trigger: RetrainTrigger,
    extra: { reason?: string | undefined; driftReport?: StoredDriftReport; name?: string },
    /** Runs inside the start transaction: false skips the run (null is returned). */
    onlyIf: ((tx: Executor, production: string | null) => Promise<boolean>) | null,
  ): Promise<RetrainRun | null> {
    if (this.#closed) throw new ConflictError('shutting_down', 'the server is shutting down');
    const { db } = this.deps.ready().database;
    const name = extra.name ?? DEFAULT_MODEL_NAME;
    const starting = db.transaction(async (tx) => {
      await lockRetrain(tx);
      const running = await runningRun(tx);
      if (running) {
        throw new ConflictError('retrain_running', `retraining run ${running.id} is still running`, {
          run_id: running.id,
        });
      }
      const production = await resolveAlias(tx, 'production', name);
      if (onlyIf && !(await onlyIf(tx, production))) return null;
      const details = {
        reason: extra.reason ?? null,
        production_version: production,
        drift_report_id: extra.driftReport?.id ?? null,
        training_data: trainingDataFor(name, this.deps.options()),
      };
      const scope = retrainScope(
        production ? { version: production, origin: await modelOrigin(tx, production) } : null,
      );
      if (!scope.retrainable) {
        // A policy's wish is recorded as a skipped run; a request by hand is answered with the reason.
        if (trigger === 'manual') throw new ApiError(422, 'retrain_unsupported', scope.reason);
        return insertRun(tx, trigger, { ...details, skipped: scope.reason }, name, 'skipped');
      }
      return insertRun(tx, trigger, details, name);
    });
    this.#starting.add(starting);
    let run: Awaited<typeof starting>;
    try {
      run = await starting;
    } finally {
      this.#starting.delete(starting);
    }
    if (!run) return null;
    if (run.status === 'skipped') {
      this.deps.log(`retraining of ${name} skipped (${trigger}): ${String(run.details.skipped)}`);
      return run;
    }
    const production = (run.details.production_version as string | null) ?? null;
    let resolveDone!: () => void;
    const current: Current = { id: run.id, job: null, done: new Promise((r) => (resolveDone = r)) };
    this.#current = current;
    this.deps.log(
      `retraining run ${run.id} of ${name} started (${trigger}${extra.reason ? `: ${extra.reason}` : ''})`,
    );
    void this.#execute(current, name, production, trigger, extra.reason).finally(() => {
      if (this.#current === current) this.#current = null;
      resolveDone();
    });
    return run;
  }

  /** Which policy, if any, a stored report (and what was computed beside it) triggers, with the reason. */
  #triggerFor(
    report: StoredDriftReport,
    window: MonitorWindow | null,
  ): { trigger: RetrainTrigger; reason: string } | null {
    const { policy } = this.deps.options();
    if (hasPolicy(policy, 'on_drift') && report.dataset_drift)
      return {
        trigger: 'drift',
        reason: `drift report ${report.id}: drift share ${report.drift_share.toFixed(3)}`,
      };
    if (window && hasPolicy(policy, 'on_estimated_drop') && estimatedDrop(window.performance)) {
      const auc = (window.performance.metrics as Record<string, Record<string, number>>).roc_auc!;
      return {
        trigger: 'estimated_drop',
        reason: `drift report ${report.id}: estimated ROC AUC ${auc.estimate!.toFixed(3)} below its lower threshold ${auc.lower_threshold!.toFixed(3)}`,
      };
    }
    if (window && hasPolicy(policy, 'on_multivariate') && multivariateAlert(window.multivariate)) {
      const m = window.multivariate as { value: number; upper_threshold: number | null };
      return {
        trigger: 'multivariate',
        reason: `drift report ${report.id}: reconstruction error ${m.value.toFixed(3)} outside its thresholds (upper ${m.upper_threshold?.toFixed(3) ?? 'none'})`,
      };
    }
    return null;
  }

  /**
   * Policies `on_drift`, `on_estimated_drop` and `on_multivariate`: after a stored report, retrain when it shows
   * dataset drift, an estimated ROC AUC below its lower threshold, or a multivariate alert (whichever the
   * policy includes) for the production model, unless a run for that production version is running, started
   * since the report, or started within the cooldown (a lasting shift would otherwise retrain on every new
   * report). Returns the run id.
   */
  async afterDriftReport(
    report: StoredDriftReport,
    window: MonitorWindow | null = null,
  ): Promise<string | null> {
    if (this.#closed) return null;
    const cause = this.#triggerFor(report, window);
    if (!cause) return null;
    try {
      const run = await this.#begin(
        cause.trigger,
        { reason: cause.reason, driftReport: report, name: report.model_name },
        async (tx, production) => {
          const cooldownStart = new Date(Date.now() - this.deps.options().cooldownMs).toISOString();
          const since =
            Date.parse(cooldownStart) < Date.parse(report.created_at) ? cooldownStart : report.created_at;
          return production === report.model_version && !(await runForVersionSince(tx, production, since));
        },
      );
      return run?.id ?? null;
    } catch (err) {
      if (err instanceof ConflictError) return null;
      throw err;
    }
  }

  /** Policy `schedule`: a run every `intervalMs` (skipped while one is running). Fails abandoned runs first. */
  async startBackground(): Promise<void> {
    const { db } = this.deps.ready().database;
    const abandoned = await failAbandonedRuns(db, 'the server stopped during the run');
    if (abandoned > 0) this.deps.log(`marked ${abandoned} interrupted retraining run(s) as failed`);
    const options = this.deps.options();
    if (!hasPolicy(options.policy, 'schedule') || this.#closed) return;
    this.#timer = setInterval(() => {
      this.start('schedule', { reason: `every ${options.intervalMs} ms` }).catch((err) => {
        if (!(err instanceof ConflictError))
          this.deps.log(`scheduled retraining failed to start: ${String(err)}`);
      });
    }, options.intervalMs);
    this.#timer.unref();
  }

  /** Stops the schedule and any run in progress (recorded as failed), waiting for the record. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await Promise.allSettled([...this.#starting]);
    const current = this.#current;
    if (current) {
      await current.job?.cancel('the server shut down during the run');
      await current.done;
    }
  }

  async #execute(
    current: Current,
    name: string,
    production: string | null,
    trigger: RetrainTrigger,
    reason: string | undefined,
  ): Promise<void> {
    const started = performance.now();
    const seconds = () => Math.round((performance.now() - started) / 10) / 100;
    const { database, pusher } = this.deps.ready();
    const db = database.db;
    const options = this.deps.options();
    try {
      const [labelled, artifact, productionModel] = await Promise.all([
        labelledPredictions(db, MAX_LABELLED_ROWS, name),
        production ? getArtifact(db, production) : Promise.resolve(null),
        production ? getModel(db, production) : Promise.resolve(null),
      ]);
      const productionCard = productionModel?.card as
        | { training?: { seed?: unknown }; training_data_sha256?: unknown }
        | undefined;
      // The feature schema comes from the model: production's card, else the name's newest version.
      const schemaCard =
        productionModel?.card ??
        (await (async () => {
          const [newest] = await listModels(db, name);
          return newest ? (await getModel(db, newest.version))?.card : undefined;
        })());
      if (!schemaCard)
        throw new NotFoundError(`model ${name} has no version to take the feature schema from`);
      if (this.#closed) throw new Error('the server shut down during the run');
      const job = (this.deps.startJob ?? startWorkerJob)({
        name,
        schema: modelSchemaOf(schemaCard as unknown as ModelCard),
        trainingData: trainingDataFor(name, options),
        labelled,
        parentVersion: production,
        productionOnnx: artifact?.onnx ?? null,
        productionTraining:
          typeof productionCard?.training?.seed === 'number' &&
          typeof productionCard.training_data_sha256 === 'string'
            ? {
                seed: productionCard.training.seed,
                training_data_sha256: productionCard.training_data_sha256,
              }
            : null,
        seed: options.seed,
      });
      current.job = job;
      const result = await job.result;
      current.job = null;
      const card = await this.#register(result, name);
      const details: Record<string, unknown> = {
        rows: result.rows,
        metrics: result.metrics,
        seconds: seconds(),
        training_seconds: card.training.seconds,
      };
      const label = `retrain run ${current.id} (${trigger}${reason ? `: ${reason}` : ''})`;
      await moveAlias(db, pusher, {
        name,
        alias: 'challenger',
        version: card.version,
        actor: RETRAINER_ACTOR,
        reason: label,
      });
      details.promotion = await this.#maybePromote(name, card, result, production, label);
      details.seconds = seconds();
      await finishRun(db, current.id, 'succeeded', card.version, details);
      const c = result.metrics.challenger.roc_auc.toFixed(4);
      const p = result.metrics.production?.roc_auc.toFixed(4) ?? '-';
      this.deps.log(
        `retraining run ${current.id} succeeded in ${details.seconds} s: challenger ${card.version} (ROC AUC ${c} vs production ${p})`,
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log(`retraining run ${current.id} failed: ${message}`);
      await finishRun(db, current.id, 'failed', null, { error: message, seconds: seconds() }).catch((e) =>
        this.deps.log(`cannot record the failure of retraining run ${current.id}: ${String(e)}`),
      );
    }
  }

  /** Registers the new version as POST /v1/models would (verified card and bytes, shape notification). */
  async #register(result: RetrainJobResult, name: string): Promise<ModelCard> {
    const { challenger, production } = result.metrics;
    const parent = result.card.parent_version;
    // The same-holdout comparison travels with the version (model.json), so every reader sees it.
    const card = parseModelCard({
      ...result.card,
      ...(production &&
        parent && {
          comparison: {
            against_version: parent,
            holdout_rows: challenger.rows,
            this: challenger,
            against: production,
          },
        }),
    });
    await verifyArtifact(card, result.onnx);
    const { db } = this.deps.ready().database;
    if (!(await insertModel(db, card, result.onnx, RETRAINER_ACTOR, name))) {
      if (!(await getModel(db, card.version))) throw new Error(`cannot register ${card.version}`);
    }
    notifyShapeChange('models');
    return card;
  }

  async #maybePromote(
    name: string,
    card: ModelCard,
    result: RetrainJobResult,
    production: string | null,
    label: string,
  ): Promise<Record<string, unknown>> {
    const { database, pusher } = this.deps.ready();
    const options = this.deps.options();
    const challengerAuc = result.metrics.challenger.roc_auc;
    const productionAuc = result.metrics.production?.roc_auc ?? null;
    if (!options.autoPromote) return { promoted: false, reason: 'auto-promotion is off (PMM_AUTO_PROMOTE)' };
    if (production === null || productionAuc === null) {
      return { promoted: false, reason: 'no production model to compare with' };
    }
    if (!(challengerAuc >= productionAuc)) {
      return {
        promoted: false,
        reason: `challenger ROC AUC ${challengerAuc.toFixed(4)} < production ${productionAuc.toFixed(4)}`,
      };
    }
    const move = await moveAlias(database.db, pusher, {
      name,
      alias: 'production',
      version: card.version,
      actor: RETRAINER_ACTOR,
      reason: `${label}: auto-promoted, ROC AUC ${challengerAuc.toFixed(4)} >= ${productionAuc.toFixed(4)}`,
      expected: production,
    });
    if (!move.changed) {
      return { promoted: false, reason: `production moved to ${move.current ?? '(nothing)'} during the run` };
    }
    this.deps.log(`auto-promoted ${card.version} to production`);
    return { promoted: true, from: production };
  }
}
