// The bindings the tests see, typed: the worker's (vitest.config.ts mirrors wrangler.toml) plus the migrations.
import { env as bindings, type D1Migration } from 'cloudflare:test';
import type { Env } from '../src/env';

export const env = bindings as unknown as Env & {
  readonly TEST_MIGRATIONS: D1Migration[];
  readonly SYNC_URL: string;
};
