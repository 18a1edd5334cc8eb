// The drift scheduler: every interval, for each model name with a production alias, a drift run of that
// production version over its last N predictions, when enough exist and new ones arrived since its last
// scheduled report. Runs never overlap; errors are logged and the next tick comes anyway.
import { DEFAULT_MODEL_NAME } from '@pmm/core/sync';
import type { DriftOptions } from '../config';
import { lastScheduledReport, predictionStats, type StoredDriftReport } from '../db/drift';
import { resolveAlias, servedModels } from '../db/registry';
import type { Ready } from '../ready';

export type TickOutcome =
  | { readonly ran: true; readonly report: StoredDriftReport }
  | { readonly ran: false; readonly reason: string };

export interface DriftSchedulerDeps {
  readonly ready: () => Ready;
  readonly options: () => DriftOptions;
  /** Runs and stores the report (and lets the retraining policy see it). */
  /** `seenSeq`: the version's highest prediction seq when the run started (stored in the window). */
  readonly run: (modelVersion: string, lastN: number, seenSeq: string | null) => Promise<StoredDriftReport>;
  readonly log: (message: string) => void;
}

export class DriftScheduler {
  #timer: NodeJS.Timeout | null = null;
  readonly #inflight = new Map<string, Promise<TickOutcome>>();
  #round: Promise<unknown> | null = null;
  #stopped = false;

  constructor(private readonly deps: DriftSchedulerDeps) {}

  /** Schedules ticks every `intervalMs` (0: never), each after the previous one finished. */
  start(): void {
    const { intervalMs } = this.deps.options();
    if (intervalMs <= 0 || this.#stopped || this.#timer) return;
    const loop = () => {
      this.#timer = null;
      void this.tickAll().finally(() => {
        if (!this.#stopped) {
          this.#timer = setTimeout(loop, intervalMs);
          this.#timer.unref();
        }
      });
    };
    this.#timer = setTimeout(loop, intervalMs);
    this.#timer.unref();
  }

  /** One check of every name with a production alias, one after the other. Never throws. */
  tickAll(): Promise<{ name: string; outcome: TickOutcome }[]> {
    const round = (async () => {
      let names: string[];
      try {
        names = (await servedModels(this.deps.ready().database.db)).map((m) => m.name);
      } catch (err) {
        this.deps.log(`scheduled drift runs failed: ${err instanceof Error ? err.message : String(err)}`);
        return [];
      }
      const outcomes: { name: string; outcome: TickOutcome }[] = [];
      for (const name of names) outcomes.push({ name, outcome: await this.tick(name) });
      return outcomes;
    })();
    this.#round = round;
    return round.finally(() => {
      if (this.#round === round) this.#round = null;
    });
  }

  /** One check of one model name (joins the one in progress for it, if any). Never throws. */
  tick(name: string = DEFAULT_MODEL_NAME): Promise<TickOutcome> {
    const running = this.#inflight.get(name);
    if (running) return running;
    const inflight = this.#check(name)
      .catch((err): TickOutcome => {
        this.deps.log(
          `scheduled drift run of ${name} failed: ${err instanceof Error ? err.message : String(err)}`,
        );
        return { ran: false, reason: 'error' };
      })
      .finally(() => {
        this.#inflight.delete(name);
      });
    this.#inflight.set(name, inflight);
    return inflight;
  }

  async #check(name: string): Promise<TickOutcome> {
    if (this.#stopped) return { ran: false, reason: 'stopped' };
    const { db } = this.deps.ready().database;
    const { window, minRows } = this.deps.options();
    const version = await resolveAlias(db, 'production', name);
    if (!version) return { ran: false, reason: 'no production model' };
    const stats = await predictionStats(db, version, minRows);
    if (stats.rows < minRows) return { ran: false, reason: `${stats.rows} prediction(s), ${minRows} needed` };
    const last = await lastScheduledReport(db, version);
    if (last?.seen_seq && stats.max_seq && BigInt(stats.max_seq) <= BigInt(last.seen_seq)) {
      return { ran: false, reason: 'no new predictions' };
    }
    const report = await this.deps.run(version, window, stats.max_seq);
    this.deps.log(
      `drift report ${report.id} for ${name} ${version}: drift share ${report.drift_share.toFixed(3)}${report.dataset_drift ? ' (dataset drift)' : ''}`,
    );
    return { ran: true, report };
  }

  /** No more ticks; waits for the one in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#round;
    await Promise.all(this.#inflight.values());
  }
}
