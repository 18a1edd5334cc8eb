// What the routes run against: the database and pusher once start-up finished, the counters, the clock.
import type { Database } from './db/client';
import { UnavailableError } from './errors';
import { IngestCounters } from './metrics';
import type { Pusher } from './push';

export interface Ready {
  readonly database: Database;
  readonly pusher: Pusher;
}

export class Services {
  readonly counters = new IngestCounters();
  private state: Ready | null = null;
  private failure: string | null = null;

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

  /** The ready services, or a 503 while the database is still starting. */
  require(): Ready {
    if (!this.state) throw new UnavailableError('not_ready', this.failure ?? 'the database is starting');
    return this.state;
  }
}
