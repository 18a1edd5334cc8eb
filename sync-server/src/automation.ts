// Drift runs and retraining wired to the store: the API's drift runs, the drift scheduler and the retrainer,
// with the retraining policy applied to every stored report.
import type { DriftOptions, RetrainOptions } from './config';
import { type DriftRunRequest, type DriftRunResult, runDrift } from './drift/run';
import { DriftScheduler } from './drift/scheduler';
import type { Ready } from './ready';
import { Retrainer, type RetrainerDeps } from './retrain/retrainer';

export interface AnalysisConfig {
  readonly drift: DriftOptions;
  readonly retrain: RetrainOptions;
}

export interface AutomationDeps {
  readonly ready: () => Ready;
  readonly config: () => AnalysisConfig;
  readonly log: (message: string) => void;
  readonly startJob?: RetrainerDeps['startJob'];
}

export class Automation {
  readonly retrainer: Retrainer;
  readonly scheduler: DriftScheduler;

  constructor(private readonly deps: AutomationDeps) {
    this.retrainer = new Retrainer({
      ready: deps.ready,
      options: () => deps.config().retrain,
      log: deps.log,
      ...(deps.startJob && { startJob: deps.startJob }),
    });
    this.scheduler = new DriftScheduler({
      ready: deps.ready,
      options: () => deps.config().drift,
      run: async (modelVersion, lastN, seenSeq) =>
        (
          await this.runDrift({ model_version: modelVersion, window: { last_n: lastN } }, 'schedule', {
            seen_seq: seenSeq,
          })
        ).report,
      log: deps.log,
    });
  }

  /** Runs, stores and announces a drift report, then applies the retraining policy to it. */
  async runDrift(
    request: DriftRunRequest,
    trigger: 'api' | 'schedule' = 'api',
    windowExtra?: Record<string, unknown>,
  ): Promise<{ report: DriftRunResult; retrainRunId: string | null }> {
    const { drift } = this.deps.config();
    const report = await runDrift(this.deps.ready().database.db, request, {
      defaultLastN: drift.window,
      minRows: drift.minRows,
      trigger,
      ...(windowExtra && { windowExtra }),
      monitor: { referenceRows: drift.window, minRows: drift.minRows, detector: drift.detector ?? 'adwin' },
    });
    if (report.monitor && 'error' in report.monitor)
      this.deps.log(`monitoring beside drift report ${report.id} failed: ${report.monitor.error}`);
    let retrainRunId: string | null = null;
    try {
      const window = report.monitor && 'window' in report.monitor ? report.monitor.window : null;
      retrainRunId = await this.retrainer.afterDriftReport(report, window);
    } catch (err) {
      this.deps.log(`retraining after drift report ${report.id} failed to start: ${String(err)}`);
    }
    return { report, retrainRunId };
  }

  /** Background work of a running server: the drift scheduler and the retraining schedule. */
  async start(): Promise<void> {
    await this.retrainer.startBackground();
    this.scheduler.start();
  }

  /** Stops the scheduler (waiting for its run) and the retrainer (cancelling its run). */
  async stop(): Promise<void> {
    await this.scheduler.stop();
    await this.retrainer.close();
  }
}
