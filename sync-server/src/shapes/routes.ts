// `GET /v1/shape?table=…`: the Electric HTTP shape protocol served from our tables by seq (or proxied to Electric).
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { ApiError, BadRequestError, bearer, createApiApp, ForbiddenError } from '@pmm/core/http';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import type { Database } from '../db/client';
import { findPrincipal } from '../db/tokens';
import { DEFAULT_SHAPE_CONFIG, type ShapeConfig } from './config';
import { type ShapeNotifier, shapeNotifier } from './notifier';
import { proxyShape } from './proxy';
import { MAX_SEQ, ShapeStore, shapeSqlFor } from './store';
import { isShapeTable, SHAPE_TABLE_NAMES, type ShapeTable, TABLE_SPECS, type TableSpec } from './tables';

export const SHAPE_PATH = '/v1/shape';
/**
 * One long-poll for every table a client follows: answers which of them have rows past the client's offset
 * (or a new handle), so a client needs one held connection, not one per table (browsers allow six per host).
 */
export const SHAPE_CHANGES_PATH = '/v1/shape-changes';

/** The role of the bearer token, set by the shared bearer check. */
type ShapeEnv = { Variables: { role: string } };

/** Every header a client must read (Access-Control-Expose-Headers). */
/** pmm's own response header on an initial sync (offset=-1): rows in the table, so clients can show progress. */
export const TOTAL_ROWS_HEADER = 'pmm-total-rows';

export const ELECTRIC_HEADERS = [
  'electric-handle',
  'electric-offset',
  'electric-schema',
  'electric-cursor',
  'electric-up-to-date',
  'electric-snapshot',
] as const;

export interface ShapeRoutesOptions {
  /** The open database; called per request (a store still starting may throw a 503 ApiError). */
  readonly database: () => Pick<Database, 'kind' | 'db'>;
  /** Role of a bearer token, or null when unknown/revoked. Default: the `tokens` table (`findPrincipal`). */
  readonly authenticate?: (token: string) => Promise<{ role: string } | null>;
  readonly config?: Partial<ShapeConfig>;
  readonly notifier?: ShapeNotifier;
  /** For the proxy (tests). */
  readonly fetch?: typeof fetch;
}

const OFFSET = /^(\d+)_(\d+)$/;
const UP_TO_DATE = '{"headers":{"control":"up-to-date"}}';
const MUST_REFETCH = '[{"headers":{"control":"must-refetch"}}]';

/** A new live cursor: the current live-timeout interval, never the one the client sent (Electric's cache buster). */
function nextCursor(sent: string | null, intervalMs: number): string {
  let cursor = Math.floor(Date.now() / intervalMs);
  if (sent !== null && String(cursor) === sent) cursor += 1;
  return String(cursor);
}

/**
 * The shape routes as a Hono sub-app: mount with `app.route('/', createShapeRoutes({ … }))`.
 * Reads need a bearer token of role read or admin.
 */
export function createShapeRoutes(options: ShapeRoutesOptions): OpenAPIHono<ShapeEnv> {
  const config: ShapeConfig = { ...DEFAULT_SHAPE_CONFIG, ...options.config };
  const notifier = options.notifier ?? shapeNotifier;
  const origins = config.corsOrigin.split(',').map((o) => o.trim());
  const stores = new WeakMap<object, ShapeStore>();

  const storeFor = (): ShapeStore => {
    const database = options.database();
    let store = stores.get(database.db as object);
    if (!store) {
      store = new ShapeStore(shapeSqlFor(database));
      stores.set(database.db as object, store);
    }
    return store;
  };

  const authenticate =
    options.authenticate ?? ((token: string) => findPrincipal(options.database().db as never, token));

  // Errors are the shared JSON shape, never cached (a 401 must not stick in a browser or proxy cache).
  const app = createApiApp<ShapeEnv>();
  registerShapeDoc(app);
  app.use(
    SHAPE_PATH,
    cors({
      origin: origins.length === 1 ? origins[0]! : origins,
      allowMethods: ['GET', 'OPTIONS'],
      allowHeaders: ['authorization', 'content-type'],
      exposeHeaders: [...ELECTRIC_HEADERS, TOTAL_ROWS_HEADER],
      maxAge: 600,
    }),
  );
  app.use(SHAPE_PATH, async (c, next) => {
    await next();
    if (c.res.status >= 400) c.res.headers.set('cache-control', 'no-store');
  });
  const reader = bearer<Context<ShapeEnv>>(async (token, c) => {
    const principal = await authenticate(token);
    if (principal) c.set('role', principal.role);
    return principal !== null;
  });
  const requireReadRole = (c: Context<ShapeEnv>): void => {
    const role = c.get('role');
    if (role !== 'read' && role !== 'admin') throw new ForbiddenError(`a ${role} token may not read shapes`);
  };
  app.get(SHAPE_PATH, reader);
  // SHAPE_CHANGES_PATH takes the API's CORS (app.ts), which allows GET with authorization.
  app.get(SHAPE_CHANGES_PATH, reader);

  app.get(SHAPE_CHANGES_PATH, async (c) => {
    requireReadRole(c);
    if (config.electricUrl) {
      throw new ApiError(404, 'changes_unavailable', 'shape changes are not served behind Electric');
    }
    const watches = c.req.queries('watch') ?? [];
    if (watches.length === 0) {
      throw new BadRequestError('missing_watch', 'give at least one watch=<table>:<handle>:<offset>');
    }
    return await serveChanges(storeFor(), watches.map(parseWatch), c.req.raw.signal);
  });

  app.get(SHAPE_PATH, async (c) => {
    requireReadRole(c);
    const table = c.req.query('table');
    if (!isShapeTable(table)) {
      throw new ApiError(400, 'invalid_table', `table must be one of ${SHAPE_TABLE_NAMES.join(', ')}`, {
        table: table ?? null,
      });
    }
    const spec = TABLE_SPECS[table];
    if (config.electricUrl) {
      const proxyOptions = {
        electricUrl: config.electricUrl,
        electricSecret: config.electricSecret,
        fetch: options.fetch,
      };
      try {
        return await proxyShape(proxyOptions, spec, c.req.raw);
      } catch (err) {
        if (c.req.raw.signal.aborted) throw err;
        throw new ApiError(503, 'electric_unavailable', 'the Electric service did not answer');
      }
    }
    return await serveShape(storeFor(), spec, new URL(c.req.url), c.req.raw.signal);
  });

  /** Serves one request of the protocol from the table itself. */
  async function serveShape(
    store: ShapeStore,
    spec: TableSpec,
    url: URL,
    signal: AbortSignal,
  ): Promise<Response> {
    const params = url.searchParams;
    const offset = params.get('offset') ?? '-1';
    const handle = params.get('handle');
    const live = params.get('live') === 'true';

    let cursor: bigint | 'now';
    if (offset === '-1') cursor = 0n;
    else if (offset === 'now') cursor = 'now';
    else {
      const m = OFFSET.exec(offset);
      if (!m) throw new ApiError(400, 'invalid_offset', 'offset must be -1, now or <seq>_<n>', { offset });
      if (!handle) throw new BadRequestError('missing_handle', 'handle is required when offset is not -1');
      cursor = BigInt(m[1]!);
    }

    const deadline = Date.now() + config.liveTimeoutMs;
    for (;;) {
      const state = await store.state(spec.name);
      if (handle !== null && handle !== state.handle) {
        return new Response(MUST_REFETCH, {
          status: 409,
          headers: {
            'content-type': 'application/json',
            'cache-control': 'no-store',
            'electric-handle': state.handle,
          },
        });
      }
      if (cursor === 'now')
        cursor = state.horizon === MAX_SEQ ? await store.maxSeq(spec.name) : state.horizon;

      const page = await store.page(spec, cursor, state.horizon, config.pageRows);
      const upToDate = page.rows < config.pageRows;
      const waitMore = live && page.rows === 0 && Date.now() < deadline && !signal.aborted;
      if (waitMore) {
        await notifier.wait(spec.name, Math.min(config.pollMs, deadline - Date.now()), signal);
        continue;
      }

      const last = page.last ?? cursor;
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'electric-handle': state.handle,
        'electric-offset': `${last}_0`,
      };
      if (live) headers['electric-cursor'] = nextCursor(params.get('cursor'), config.liveTimeoutMs);
      else headers['electric-schema'] = spec.schemaHeader;
      // Not part of Electric's protocol: the table's size on an initial sync, for a determinate progress bar.
      if (offset === '-1') headers[TOTAL_ROWS_HEADER] = String(await store.count(spec.name));
      let body: string;
      if (upToDate) {
        headers['electric-up-to-date'] = '';
        body = page.body ? `[${page.body},${UP_TO_DATE}]` : `[${UP_TO_DATE}]`;
      } else {
        body = `[${page.body}]`;
      }
      return new Response(body, { status: 200, headers });
    }
  }

  /** Holds the request until one of the watched tables has rows past its offset or a new handle. */
  async function serveChanges(
    store: ShapeStore,
    watches: readonly Watch[],
    signal: AbortSignal,
  ): Promise<Response> {
    const deadline = Date.now() + config.liveTimeoutMs;
    const tables = [...new Set(watches.map((w) => w.table))];
    for (;;) {
      const changed = new Set<ShapeTable>();
      for (const w of watches) {
        const state = await store.state(w.table);
        if (state.handle !== w.handle) changed.add(w.table);
        else if ((await store.page(TABLE_SPECS[w.table], w.cursor, state.horizon, 1)).rows > 0)
          changed.add(w.table);
      }
      if (changed.size > 0 || Date.now() >= deadline || signal.aborted) {
        return new Response(JSON.stringify({ changed: [...changed] }), {
          status: 200,
          headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        });
      }
      await notifier.waitAny(tables, Math.min(config.pollMs, deadline - Date.now()), signal);
    }
  }

  return app;
}

interface Watch {
  readonly table: ShapeTable;
  readonly handle: string;
  readonly cursor: bigint;
}

/** `<table>:<handle>:<seq>_<n>`: where a client's stream of that table stands. */
function parseWatch(watch: string): Watch {
  const [table, handle, offset, ...rest] = watch.split(':');
  const m = OFFSET.exec(offset ?? '');
  if (!isShapeTable(table) || !handle || !m || rest.length > 0) {
    throw new ApiError(400, 'invalid_watch', 'watch must be <table>:<handle>:<seq>_<n> with a synced table', {
      watch,
    });
  }
  return { table, handle, cursor: BigInt(m[1]!) };
}

/** The OpenAPI entry (documentation only: the handler reads the query itself, ignoring unknown parameters). */
function registerShapeDoc(app: OpenAPIHono<ShapeEnv>): void {
  const headers = (names: readonly string[]) =>
    Object.fromEntries(names.map((n) => [n, { schema: { type: 'string' as const } }]));
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: SHAPE_PATH,
    summary: 'Electric HTTP shape protocol for a synced table (read token)',
    description:
      'Rows in seq order as Electric change messages; offsets are `<seq>_0`. int8 columns are declared `text` in ' +
      '`electric-schema` and sent as strings. With ELECTRIC_URL set the request is proxied to Electric.',
    security: [{ bearer: [] }],
    request: {
      query: z.object({
        table: z.enum(SHAPE_TABLE_NAMES as [ShapeTable, ...ShapeTable[]]),
        offset: z.string().optional().openapi({ description: '-1 (from the start), now, or <seq>_<n>' }),
        handle: z.string().optional(),
        live: z.enum(['true', 'false']).optional(),
        cursor: z.string().optional(),
      }),
    },
    responses: {
      200: {
        description:
          'A JSON array of change messages, ending with an up-to-date control message when caught up',
        headers: headers(ELECTRIC_HEADERS),
        content: { 'application/json': { schema: z.array(z.unknown()) } },
      },
      400: { description: 'Unknown table, bad offset, or an offset without its handle' },
      401: { description: 'No valid bearer token' },
      403: { description: 'The token may not read shapes' },
      409: { description: 'The handle is stale: must-refetch, with the new handle in `electric-handle`' },
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: SHAPE_CHANGES_PATH,
    summary:
      'One long-poll for many shapes: which of the watched tables have rows past the given offsets (read token)',
    description:
      'Held until a watched table has rows after its offset, or a handle other than the one given (then its ' +
      'shape request answers 409), or the live timeout passes (`changed` is then empty). A client follows ' +
      'every table with this one request and sends a `live=true` shape request only for a table named here.',
    security: [{ bearer: [] }],
    request: {
      query: z.object({
        watch: z.array(z.string()).openapi({ description: '<table>:<handle>:<offset>, repeated per table' }),
      }),
    },
    responses: {
      200: {
        description: 'The watched tables that changed',
        content: { 'application/json': { schema: z.object({ changed: z.array(z.string()) }) } },
      },
      400: { description: 'A watch is not <table>:<handle>:<offset>' },
      401: { description: 'No valid bearer token' },
      403: { description: 'The token may not read shapes' },
      404: { description: 'Shapes are proxied to Electric: not available' },
    },
  });
}

export type { ShapeTable };
