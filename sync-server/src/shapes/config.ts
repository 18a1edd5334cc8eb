// Shape endpoint settings: what the routes read, and the defaults (parsed from the environment in ../config.ts).

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

/**
 * The analyst app's origins: its renderer served by Vite (`npm start`, port 5173) under either loopback name,
 * and the packaged desktop app (`app://pmm`).
 */
export const ANALYST_APP_ORIGINS = 'http://127.0.0.1:5173,http://localhost:5173,app://pmm';

export const DEFAULT_SHAPE_CONFIG: ShapeConfig = {
  liveTimeoutMs: 20_000,
  pollMs: 500,
  pageRows: 10_000,
  corsOrigin: ANALYST_APP_ORIGINS,
  electricUrl: undefined,
  electricSecret: undefined,
};
