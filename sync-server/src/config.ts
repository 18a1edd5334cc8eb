// Configuration from the environment, read and validated once at start-up.
import path from 'node:path';
import { modelNameProblem } from '@pmm/core/sync';
import { z } from 'zod';
import { DEFAULT_SHAPE_CONFIG, type ShapeConfig } from './shapes/config';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface PushOptions {
  /** Attempts per node and version, the first included. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubled after each failure up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Per request. */
  readonly timeoutMs: number;
}

export type RetrainPolicy = 'on_drift' | 'schedule' | 'manual' | 'on_estimated_drop' | 'on_multivariate';

export const RETRAIN_POLICIES: readonly RetrainPolicy[] = [
  'on_drift',
  'schedule',
  'manual',
  'on_estimated_drop',
  'on_multivariate',
];

/** Whether `policy` (one policy or several) includes `name`. */
export function hasPolicy(policy: RetrainOptions['policy'], name: RetrainPolicy): boolean {
  return typeof policy === 'string' ? policy === name : policy.includes(name);
}

/** The streaming detector run over each model's score and error streams at every drift run. */
export type DetectorSetting = 'adwin' | 'page-hinkley' | 'kswin' | 'off';

export interface DriftOptions {
  /** Between scheduled drift runs of the production model; 0 disables the scheduler. */
  readonly intervalMs: number;
  /** The scheduled run's window: the last N predictions (also the API's default `last_n`). */
  readonly window: number;
  /** Fewer rows in a window: no report (422 from the API, a skip for the scheduler). */
  readonly minRows: number;
  /** The detector fed each run's new scores and errors (`off`: none). Absent: adwin. */
  readonly detector?: DetectorSetting;
}

export interface RetrainOptions {
  /** One policy, or several (`PMM_RETRAIN_POLICY=on_drift,on_estimated_drop`); `manual` stands alone. */
  readonly policy: RetrainPolicy | readonly RetrainPolicy[];
  /** With policy `schedule`: between retraining runs. */
  readonly intervalMs: number;
  /** The labelled reference CSV (absolute). */
  readonly trainingData: string;
  /** The labelled training CSV of other model names (`PMM_TRAINING_DATA_BY_NAME`); others use `trainingData`. */
  readonly trainingDataByName?: Readonly<Record<string, string>>;
  /** Promote the challenger to production when its holdout ROC AUC is at least production's. */
  readonly autoPromote: boolean;
  readonly seed: number;
  /** With policy `on_drift`: no drift-triggered run within this long of the last run for the same production. */
  readonly cooldownMs: number;
}

/** The repository root (sync-server/src/config.ts → ../..): where `data/telco.csv` lives by default. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly home: string;
  /** PostgreSQL URL; when absent the embedded PGlite store in `dbDir` is used. */
  readonly databaseUrl: string | undefined;
  readonly dbDir: string;
  readonly adminToken: string | undefined;
  readonly readToken: string | undefined;
  readonly push: PushOptions;
  readonly drift: DriftOptions;
  readonly retrain: RetrainOptions;
  readonly shapes: ShapeConfig;
}

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const token = z.string().min(16, 'must be at least 16 characters');

/** `*`, or a comma-separated list of origins (`scheme://host[:port]`, no path). */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/\s,]+$/i;
const origins = z
  .string()
  .transform((v) => v.split(',').map((o) => o.trim()))
  .refine(
    (list) => list.every((o) => o === '*' || ORIGIN.test(o)),
    'must be * or comma-separated origins like http://127.0.0.1:5173',
  )
  .transform((list) => list.join(','));

const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(8788),
  PMM_HOME: z.string().min(1).default('.pmm'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(?:ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PMM_DB_DIR: z.string().min(1).optional(),
  PMM_ADMIN_TOKEN: token.optional(),
  PMM_READ_TOKEN: token.optional(),
  PMM_PUSH_MAX_ATTEMPTS: int(1, 100).default(6),
  PMM_PUSH_BACKOFF_MS: int(0, 3_600_000).default(1_000),
  PMM_PUSH_BACKOFF_MAX_MS: int(0, 3_600_000).default(60_000),
  PMM_PUSH_TIMEOUT_MS: int(1, 3_600_000).default(30_000),
  PMM_DRIFT_INTERVAL_MS: int(0, 604_800_000).default(60_000),
  PMM_DRIFT_WINDOW: int(1, 1_000_000).default(1_000),
  PMM_DRIFT_MIN_ROWS: int(1, 1_000_000).default(100),
  PMM_RETRAIN_POLICY: z
    .string()
    .transform((v) => [...new Set(v.split(',').map((p) => p.trim()))])
    .refine(
      (list) => list.every((p) => (RETRAIN_POLICIES as readonly string[]).includes(p)),
      `must be one or more (comma-separated) of ${RETRAIN_POLICIES.join(', ')}`,
    )
    .refine(
      (list) => !list.includes('manual') || list.length === 1,
      'manual cannot be combined with another policy',
    )
    .transform((list) => (list.length === 1 ? (list[0] as RetrainPolicy) : (list as RetrainPolicy[])))
    .default('on_drift'),
  PMM_DETECTOR: z
    .enum(['adwin', 'page-hinkley', 'kswin', 'off'], 'must be adwin, page-hinkley, kswin or off')
    .default('adwin'),
  PMM_RETRAIN_INTERVAL_MS: int(1_000, 2_592_000_000).default(86_400_000),
  PMM_TRAINING_DATA: z.string().min(1).optional(),
  PMM_TRAINING_DATA_BY_NAME: z
    .string()
    .transform((value, ctx) => {
      const byName: Record<string, string> = {};
      for (const entry of value.split(',')) {
        const at = entry.indexOf('=');
        const name = entry.slice(0, at).trim();
        const file = entry.slice(at + 1).trim();
        const problem = at < 0 || !file ? 'entries are name=path' : modelNameProblem(name);
        if (problem) {
          ctx.addIssue({ code: 'custom', message: `${problem} (e.g. fraud=/data/fraud.csv)` });
          return z.NEVER;
        }
        byName[name] = path.resolve(file);
      }
      return byName;
    })
    .optional(),
  PMM_AUTO_PROMOTE: z
    .enum(['true', 'false', '1', '0'], 'must be true or false')
    .transform((v) => v === 'true' || v === '1')
    .default(false),
  PMM_RETRAIN_SEED: int(0, 2_147_483_647).default(0),
  PMM_RETRAIN_COOLDOWN_MS: int(0, 2_592_000_000).default(3_600_000),
  // Below the client's own 45 s live-request timeout, which would otherwise abort and retry every poll.
  PMM_SHAPE_LIVE_TIMEOUT_MS: int(100, 40_000).default(DEFAULT_SHAPE_CONFIG.liveTimeoutMs),
  PMM_SHAPE_POLL_MS: int(10, 60_000).default(DEFAULT_SHAPE_CONFIG.pollMs),
  PMM_SHAPE_PAGE_ROWS: int(100, 100_000).default(DEFAULT_SHAPE_CONFIG.pageRows),
  PMM_CORS_ORIGIN: origins.default(DEFAULT_SHAPE_CONFIG.corsOrigin),
  ELECTRIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  ELECTRIC_SECRET: z.string().min(1).optional(),
});

/** Parses the environment; empty strings count as unset. Throws one ConfigError naming every bad variable. */
export function readConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (e.PMM_ADMIN_TOKEN && e.PMM_ADMIN_TOKEN === e.PMM_READ_TOKEN) {
    throw new ConfigError('invalid configuration: PMM_READ_TOKEN must differ from PMM_ADMIN_TOKEN');
  }
  if (e.ELECTRIC_SECRET && !e.ELECTRIC_URL) {
    throw new ConfigError('invalid configuration: ELECTRIC_SECRET is set without ELECTRIC_URL');
  }
  return {
    host: e.HOST,
    port: e.PORT,
    home: e.PMM_HOME,
    databaseUrl: e.DATABASE_URL,
    dbDir: e.PMM_DB_DIR ?? path.join(e.PMM_HOME, 'db'),
    adminToken: e.PMM_ADMIN_TOKEN,
    readToken: e.PMM_READ_TOKEN,
    push: {
      maxAttempts: e.PMM_PUSH_MAX_ATTEMPTS,
      baseDelayMs: e.PMM_PUSH_BACKOFF_MS,
      maxDelayMs: e.PMM_PUSH_BACKOFF_MAX_MS,
      timeoutMs: e.PMM_PUSH_TIMEOUT_MS,
    },
    drift: {
      intervalMs: e.PMM_DRIFT_INTERVAL_MS,
      window: e.PMM_DRIFT_WINDOW,
      minRows: e.PMM_DRIFT_MIN_ROWS,
      detector: e.PMM_DETECTOR,
    },
    retrain: {
      policy: e.PMM_RETRAIN_POLICY,
      intervalMs: e.PMM_RETRAIN_INTERVAL_MS,
      trainingData: path.resolve(e.PMM_TRAINING_DATA ?? path.join(REPO_ROOT, 'data/telco.csv')),
      ...(e.PMM_TRAINING_DATA_BY_NAME && { trainingDataByName: e.PMM_TRAINING_DATA_BY_NAME }),
      autoPromote: e.PMM_AUTO_PROMOTE,
      seed: e.PMM_RETRAIN_SEED,
      cooldownMs: e.PMM_RETRAIN_COOLDOWN_MS,
    },
    shapes: {
      liveTimeoutMs: e.PMM_SHAPE_LIVE_TIMEOUT_MS,
      pollMs: e.PMM_SHAPE_POLL_MS,
      pageRows: e.PMM_SHAPE_PAGE_ROWS,
      corsOrigin: e.PMM_CORS_ORIGIN,
      electricUrl: e.ELECTRIC_URL,
      electricSecret: e.ELECTRIC_SECRET,
    },
  };
}
