// What the routes run against: the database and pusher once start-up finished, the counters, the clock.

import { UnavailableError } from '@pmm/core/http';
import { type AnalysisConfig, Automation } from './automation';
import { readConfig } from './config';
import { IngestCounters } from './metrics';
import { ProfileCounters } from './profiles/metrics';
import type { Ready } from './ready';

export class Services {
  readonly counters = new IngestCounters();
  /** Profile-chunk ingest (routes/profiles.ts). */
  readonly profileCounters = new ProfileCounters();
  private state: Ready | null = null;
  private failure: string | null = null;
  private analysis: AnalysisConfig = (({ drift, retrain }) => ({ drift, retrain }))(readConfig({}));
  private automationInstance: Automation | null = null;
  private log: (message: string) => void = (message) => console.log(`pmm sync-server: ${message}`);

  constructor(readonly now: () => Date = () => new Date()) {}

  /** Called once the database is open and migrated. */
  setReady(ready: Ready): void {
    this.state = ready;
  }

  setFailed(message: string): void {
    this.failure = message;
  }

  get ready(): Ready | null {
    return this.state;
  }

  get failed(): string | null {
    return this.failure;
  }

  /** Drift and retraining settings (the defaults until the server passes its configuration). */
  configure(analysis: AnalysisConfig, log?: (message: string) => void): void {
    this.analysis = analysis;
    if (log) this.log = log;
  }

  get analysisConfig(): AnalysisConfig {
    return this.analysis;
  }

  /** Drift runs, the drift scheduler and the retrainer (created on first use). */
  get automation(): Automation {
    this.automationInstance ??= new Automation({
      ready: () => this.require(),
      config: () => this.analysis,
      log: (message) => this.log(message),
    });
    return this.automationInstance;
  }

  /** Stops the scheduler and any retraining run, if they were ever started. */
  async stopAutomation(): Promise<void> {
    await this.automationInstance?.stop();
  }

  /** The ready services, or a 503 while the database is still starting. */
  require(): Ready {
    if (!this.state) throw new UnavailableError('not_ready', this.failure ?? 'the database is starting');
    return this.state;
  }
}
