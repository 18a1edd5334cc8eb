// The worker's bindings and the configuration read from them, validated once per isolate.
import { DEFAULT_MODEL_NAME, modelNameSchema } from '@pmm/core/sync';
import { z } from 'zod';

/** Bindings declared in wrangler.toml (vars, D1, KV) plus the secrets set with `wrangler secret put`. */
export interface Env {
  readonly DB: D1Database;
  readonly MODELS: KVNamespace;
  /** "false": shipped prediction rows carry no feature values (`features: null`); profiles still ship. */
  readonly SHIP_FEATURES?: string;
  readonly SYNC_URL: string;
  readonly NODE_ID: string;
  readonly EDGE_ADMIN_TOKEN?: string;
  readonly INGEST_TOKEN?: string;
  /** The model `POST /api/v1/predict` (and batch, feedback, `GET /api/v1/model`) serve; 'churn' when unset. */
  readonly DEFAULT_MODEL?: string;
}

const MIN_ADMIN_TOKEN_LENGTH = 16;

const configSchema = z.object({
  SHIP_FEATURES: z.enum(['true', 'false']).default('true'),
  SYNC_URL: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '')),
  NODE_ID: z.string().min(1).max(128),
  EDGE_ADMIN_TOKEN: z.string().optional(),
  INGEST_TOKEN: z.string().min(1).optional(),
  DEFAULT_MODEL: modelNameSchema.default(DEFAULT_MODEL_NAME),
});

export interface Config {
  /** False: raw feature values never leave the node (rows ship with `features: null`). */
  readonly shipFeatures: boolean;
  readonly syncUrl: string;
  readonly nodeId: string;
  /** Absent (or shorter than 16 characters): every admin request is refused. */
  readonly adminToken: string | undefined;
  readonly ingestToken: string | undefined;
  /** The model the unnamed routes serve and an install without a name goes to. */
  readonly defaultModel: string;
}

/** A binding is missing or malformed: the worker answers 503 until the deployment is fixed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const cache = new WeakMap<object, Config>();

/** Reads and validates the configuration (once per `env` object, i.e. once per isolate). */
export function readConfig(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = configSchema.safeParse({
    SHIP_FEATURES: env.SHIP_FEATURES?.trim().toLowerCase() || undefined,
    SYNC_URL: env.SYNC_URL,
    NODE_ID: env.NODE_ID,
    EDGE_ADMIN_TOKEN: env.EDGE_ADMIN_TOKEN || undefined,
    INGEST_TOKEN: env.INGEST_TOKEN || undefined,
    DEFAULT_MODEL: env.DEFAULT_MODEL || undefined,
  });
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid worker configuration (${fields})`);
  }
  let adminToken = parsed.data.EDGE_ADMIN_TOKEN;
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    // Fail closed for admin only: a weak token must not take predictions down with it.
    console.warn(
      `EDGE_ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters: admin routes are disabled`,
    );
    adminToken = undefined;
  }
  const config: Config = {
    shipFeatures: parsed.data.SHIP_FEATURES === 'true',
    syncUrl: parsed.data.SYNC_URL,
    nodeId: parsed.data.NODE_ID,
    adminToken,
    ingestToken: parsed.data.INGEST_TOKEN,
    defaultModel: parsed.data.DEFAULT_MODEL,
  };
  cache.set(env, config);
  return config;
}
