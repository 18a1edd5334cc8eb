// What start-up hands to everything that needs the store: the open database and the pusher (a file of its own,
// so the services, the automation and the retrainer all import it without importing each other).
import type { Database } from './db/client';
import type { Pusher } from './push';

export interface Ready {
  readonly database: Database;
  readonly pusher: Pusher;
}
