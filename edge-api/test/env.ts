// The bindings the tests see, typed: the worker's (vitest.config.ts mirrors wrangler.toml) plus test-only ones.
import { env as bindings, type D1Migration } from 'cloudflare:test';
import type { Env } from '../src/env';

export const env = bindings as unknown as Env & {
  readonly TEST_MIGRATIONS: D1Migration[];
  readonly SYNC_URL: string;
  readonly INGEST_TOKEN: string;
  /** Tokens of the real sync server the tests ship to (test/global-setup.ts). */
  readonly TEST_CENTRE_ADMIN_TOKEN: string;
  readonly TEST_CENTRE_READ_TOKEN: string;
};
