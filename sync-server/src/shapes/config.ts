// Shape endpoint settings from the environment, read and validated once at start-up.
import { z } from 'zod';
import { ConfigError } from '../config';

export interface ShapeConfig {
  /** How long a `live=true` request is held open waiting for rows. */
  readonly liveTimeoutMs: number;
  /** While held open, how often the tables are re-read (rows written by another process). */
  readonly pollMs: number;
  /** Rows per response while catching up. */
  readonly pageRows: number;
  /** `Access-Control-Allow-Origin`: `*`, or a comma-separated list of origins. */
  readonly corsOrigin: string;
  /** When set, `/v1/shape` proxies to this Electric service instead of serving the tables itself. */
  readonly electricUrl: string | undefined;
  /** Electric's API secret, added to proxied requests as `secret`. */
  readonly electricSecret: string | undefined;
}

export const DEFAULT_SHAPE_CONFIG: ShapeConfig = {
  liveTimeoutMs: 20_000,
  pollMs: 500,
  pageRows: 10_000,
  corsOrigin: '*',
  electricUrl: undefined,
  electricSecret: undefined,
};

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const envSchema = z.object({
  // Below the client's own 45 s live-request timeout, which would otherwise abort and retry every poll.
  PMM_SHAPE_LIVE_TIMEOUT_MS: int(100, 40_000).optional(),
  PMM_SHAPE_POLL_MS: int(10, 60_000).optional(),
  PMM_SHAPE_PAGE_ROWS: int(100, 100_000).optional(),
  PMM_CORS_ORIGIN: z.string().min(1).optional(),
  ELECTRIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  ELECTRIC_SECRET: z.string().min(1).optional(),
});

/** Parses the shape settings; empty strings count as unset. Throws naming every bad variable. */
export function readShapeConfig(env: Record<string, string | undefined>): ShapeConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const d = DEFAULT_SHAPE_CONFIG;
  return {
    liveTimeoutMs: e.PMM_SHAPE_LIVE_TIMEOUT_MS ?? d.liveTimeoutMs,
    pollMs: e.PMM_SHAPE_POLL_MS ?? d.pollMs,
    pageRows: e.PMM_SHAPE_PAGE_ROWS ?? d.pageRows,
    corsOrigin: e.PMM_CORS_ORIGIN ?? d.corsOrigin,
    electricUrl: e.ELECTRIC_URL,
    electricSecret: e.ELECTRIC_SECRET,
  };
}
