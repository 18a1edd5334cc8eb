// The shape endpoint against the real @electric-sql/client over HTTP: initial sync, live rows, updates, 409, auth, CORS.
import {
  isChangeMessage,
  isControlMessage,
  type Message,
  type Row,
  Shape,
  ShapeStream,
  type ShapeStreamOptions,
} from '@electric-sql/client';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { upsertFeedback } from '../db/ingest';
import { Services } from '../services';
import { openTestDatabase, type TestDatabase } from '../test/harness';
import { notifyShapeChange } from './notifier';
import { rotateShapeHandle } from './store';
import {
  INGEST,
  insertPredictionRows,
  putShapeTokens,
  READ,
  type ShapeServer,
  startShapeServer,
} from './test-support';

const PAGE = 500;
const INITIAL = 1_250;

let store: TestDatabase;
let server: ShapeServer;
let requests: string[] = [];

const countingFetch: typeof fetch = (input, init) => {
  requests.push(input.toString());
  return fetch(input, init);
};

function stream(table: string, extra: Partial<ShapeStreamOptions> = {}) {
  const controller = new AbortController();
  const s = new ShapeStream<Row>({
    url: `${server.url}/v1/shape`,
    params: { table },
    headers: { authorization: `Bearer ${READ}` },
    fetchClient: countingFetch,
    signal: controller.signal,
    ...extra,
  });
  return { stream: s, stop: () => controller.abort() };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const get = (path: string, token: string | null = READ, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}`, ...headers } : headers,
  });

beforeAll(async () => {
  store = await openTestDatabase();
  await putShapeTokens(store.database);
  await insertPredictionRows(store.database, INITIAL);
  server = await startShapeServer(store.database, { liveTimeoutMs: 1_000, pollMs: 100, pageRows: PAGE });
});

afterAll(async () => {
  await server?.close();
  await store?.cleanup();
});

describe(`shape sync (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('syncs the initial rows over several pages, then live rows, with int8 as strings', async () => {
    requests = [];
    const { stream: s, stop } = stream('predictions');
    const shape = new Shape(s);
    try {
      const rows = await shape.rows;
      expect(rows).toHaveLength(INITIAL);
      // 1,250 rows in pages of 500: at least three non-live requests.
      expect(requests.filter((u) => !u.includes('live=true')).length).toBeGreaterThanOrEqual(3);
      const row = rows[0]!;
      expect(typeof row.seq).toBe('string');
      expect(typeof row.probability).toBe('number');
      expect(typeof row.label).toBe('number');
      expect(row.features).toMatchObject({ contract: 'Month-to-month' });
      expect(row.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      for (const r of rows) expect(typeof r.seq).not.toBe('bigint');

      // Live: rows written later arrive (notified ...)
      const added = await insertPredictionRows(store.database, 3);
      notifyShapeChange('predictions');
      await until(() => shape.currentRows.length === INITIAL + 3);
      expect(shape.currentRows.map((r) => r.prediction_id)).toEqual(expect.arrayContaining(added));

      // ... and without a notify (another process wrote them): the poll finds them.
      await insertPredictionRows(store.database, 2);
      await until(() => shape.currentRows.length === INITIAL + 5, 3_000);
    } finally {
      stop();
    }
  });

  it('sends a replaced feedback row again as an update', async () => {
    const [id] = await insertPredictionRows(store.database, 1);
    const t0 = new Date(Date.now() - 60_000).toISOString();
    await upsertFeedback(store.database.db, [{ prediction_id: id!, outcome: 0, created_at: t0 }]);

    const seen: Message<Row>[] = [];
    const { stream: s, stop } = stream('feedback');
    const shape = new Shape(s);
    s.subscribe((batch) => void seen.push(...batch));
    try {
      await shape.rows;
      expect(shape.currentRows).toEqual([expect.objectContaining({ prediction_id: id, outcome: 0 })]);
      await upsertFeedback(store.database.db, [
        { prediction_id: id!, outcome: 1, created_at: new Date().toISOString() },
      ]);
      notifyShapeChange('feedback');
      await until(() => shape.currentRows[0]?.outcome === 1);
      const changes = seen.filter(isChangeMessage);
      expect(changes.map((m) => m.headers.operation)).toEqual(['insert', 'update']);
      expect(changes[1]!.key).toBe(`"public"."feedback"/"${id}"`);
      expect(shape.currentRows).toHaveLength(1);
    } finally {
      stop();
    }
  });

  it('recovers from a rotated handle: 409, must-refetch, the right rows again', async () => {
    const seen: Message<Row>[] = [];
    const { stream: s, stop } = stream('predictions');
    const shape = new Shape(s);
    s.subscribe((batch) => void seen.push(...batch));
    try {
      const before = (await shape.rows).length;
      const handle = s.shapeHandle;
      rotateShapeHandle('predictions');
      await until(() => seen.some((m) => isControlMessage(m) && m.headers.control === 'must-refetch'));
      const added = await insertPredictionRows(store.database, 4);
      notifyShapeChange('predictions');
      await until(() => shape.currentRows.length === before + 4);
      expect(s.shapeHandle).not.toBe(handle);
      // The refetched shape holds the rows inserted after the rotation (the ids insertPredictionRows drew).
      const synced = new Set(shape.currentRows.map((r) => r.prediction_id));
      expect(added.filter((id) => !synced.has(id))).toEqual([]);
    } finally {
      stop();
    }
  });

  it('answers 409 with a new handle for a truncated table', async () => {
    const first = await get('/v1/shape?table=alias_history&offset=-1');
    const handle = first.headers.get('electric-handle')!;
    await store.database.db.execute(sql`truncate alias_history`);
    const stale = await get(`/v1/shape?table=alias_history&offset=0_0&handle=${handle}`);
    expect(stale.status).toBe(409);
    expect(stale.headers.get('electric-handle')).not.toBe(handle);
    expect(await stale.json()).toEqual([{ headers: { control: 'must-refetch' } }]);
  });

  it('speaks the protocol: headers, schema, offsets, unknown parameters, live timeout', async () => {
    const res = await get('/v1/shape?table=predictions&offset=-1&foo=bar');
    expect(res.status).toBe(200);
    const handle = res.headers.get('electric-handle')!;
    expect(handle).toBeTruthy();
    expect(res.headers.get('electric-offset')).toMatch(/^\d+_0$/);
    expect(res.headers.has('electric-up-to-date')).toBe(false);
    const schema = JSON.parse(res.headers.get('electric-schema')!);
    expect(schema.seq).toEqual({ type: 'text', not_null: true });
    expect(schema.prediction_id).toEqual({ type: 'uuid', not_null: true, pk_index: 0 });
    expect(schema.features.type).toBe('jsonb');
    expect(schema.created_at.type).toBe('timestamptz');
    const body = (await res.json()) as {
      key: string;
      value: Record<string, unknown>;
      headers: { operation: string };
    }[];
    expect(body).toHaveLength(PAGE);
    expect(body[0]!.headers.operation).toBe('insert');
    expect(body[0]!.key).toBe(`"public"."predictions"/"${body[0]!.value.prediction_id}"`);

    // offset=-1 with a handle is accepted; an offset without a handle is not.
    expect((await get(`/v1/shape?table=predictions&offset=-1&handle=${handle}`)).status).toBe(200);
    expect((await get('/v1/shape?table=predictions&offset=5_0')).status).toBe(400);
    expect((await get(`/v1/shape?table=predictions&offset=abc&handle=${handle}`)).status).toBe(400);

    // Caught up, live: held ~1 s, then up-to-date with a cursor and the same offset.
    const max = await maxSeq();
    const started = Date.now();
    const live = await get(`/v1/shape?table=predictions&offset=${max}_0&handle=${handle}&live=true&cursor=1`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(live.status).toBe(200);
    expect(live.headers.get('electric-cursor')).toMatch(/^\d+$/);
    expect(live.headers.get('electric-offset')).toBe(`${max}_0`);
    expect(live.headers.has('electric-up-to-date')).toBe(true);
    expect(await live.json()).toEqual([{ headers: { control: 'up-to-date' } }]);

    // offset=now: nothing old, straight to up-to-date at the newest row.
    const now = await get('/v1/shape?table=predictions&offset=now');
    expect(now.headers.get('electric-offset')).toBe(`${max}_0`);
    expect(await now.json()).toEqual([{ headers: { control: 'up-to-date' } }]);

    // A handle the server never issued: 409.
    const unknown = await get(`/v1/shape?table=predictions&offset=${max}_0&handle=nope-0`);
    expect(unknown.status).toBe(409);
    expect(unknown.headers.get('electric-handle')).toBe(handle);
  });

  it('serves the other tables: models without onnx, int8 ids as text', async () => {
    await store.database.db.execute(sql`insert into models
      (version, created_at, training_data_sha256, onnx_sha256, onnx_bytes, metrics, card, onnx)
      values ('churn-1', now(), 'a', 'b', 3, '{"auc":0.8}', '{"version":"churn-1"}', '\\x010203')`);
    await store.database.db.execute(sql`insert into alias_history (alias, from_version, to_version, actor)
      values ('production', null, 'churn-1', 'admin:t')`);
    await store.database.db.execute(sql`insert into drift_reports (model_version, "window", report, dataset_drift, drift_share)
      values ('churn-1', '{}', '{"columns":[]}', true, 0.5)`);

    const { stream: m, stop: stopModels } = stream('models');
    const models = await new Shape(m).rows;
    stopModels();
    expect(models).toHaveLength(1);
    expect(models[0]).not.toHaveProperty('onnx');
    expect(models[0]).toMatchObject({ version: 'churn-1', onnx_bytes: 3, metrics: { auc: 0.8 } });

    const { stream: a, stop: stopAliases } = stream('alias_history');
    const aliases = await new Shape(a).rows;
    stopAliases();
    expect(aliases).toHaveLength(1);
    expect(typeof aliases[0]!.id).toBe('string');
    expect(aliases[0]!.from_version).toBeNull();

    const { stream: d, stop: stopReports } = stream('drift_reports');
    const reports = await new Shape(d).rows;
    stopReports();
    expect(reports[0]).toMatchObject({ dataset_drift: true, drift_share: 0.5, node_id: null });
    expect(typeof reports[0]!.id).toBe('string');
  });

  it('requires a read token and a known table', async () => {
    const none = await get('/v1/shape?table=predictions&offset=-1', null);
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('unauthorized');
    expect((await get('/v1/shape?table=predictions&offset=-1', 'wrong-token-0123456789')).status).toBe(401);
    expect((await get('/v1/shape?table=predictions&offset=-1', INGEST)).status).toBe(403);
    expect((await get('/v1/shape?table=predictions&offset=-1', `${READ}-admin`)).status).toBe(200);
    // The token travels in the header only.
    expect((await get(`/v1/shape?table=predictions&offset=-1&token=${READ}`, null)).status).toBe(401);

    for (const table of ['tokens', 'nodes', '', 'predictions;drop']) {
      const res = await get(`/v1/shape?table=${encodeURIComponent(table)}&offset=-1`);
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe('invalid_table');
      expect(body.error.message).toContain('table');
    }
    expect((await get('/v1/shape?offset=-1')).status).toBe(400);

    // The real client surfaces the 400 instead of retrying.
    const errors: unknown[] = [];
    const { stream: s, stop } = stream('tokens', { onError: (e: Error) => void errors.push(e) });
    s.subscribe(() => {});
    await until(() => errors.length > 0);
    stop();
    expect((errors[0] as { status: number }).status).toBe(400);
  });

  it('answers CORS preflights and exposes the electric headers', async () => {
    const origin = 'http://localhost:5173';
    const preflight = await fetch(`${server.url}/v1/shape?table=predictions`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    // The default admits the analyst app's origins, echoing the one asking.
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/content-type/);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/GET/);

    const res = await get('/v1/shape?table=predictions&offset=-1', READ, { origin });
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    const exposed = res.headers.get('access-control-expose-headers')!.split(',');
    for (const h of [
      'electric-handle',
      'electric-offset',
      'electric-schema',
      'electric-cursor',
      'electric-up-to-date',
      'pmm-total-rows',
    ]) {
      expect(exposed).toContain(h);
    }
    // Errors carry CORS headers too, so the renderer can read the status.
    const denied = await get('/v1/shape?table=predictions&offset=-1', null, { origin });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(origin);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="pmm"');
    expect(denied.headers.get('cache-control')).toBe('no-store');
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('restricts the origin when configured', async () => {
    const restricted = await startShapeServer(store.database, { corsOrigin: 'http://localhost:5173' });
    try {
      const ok = await fetch(`${restricted.url}/v1/shape?table=predictions&offset=-1`, {
        headers: { origin: 'http://localhost:5173', authorization: `Bearer ${READ}` },
      });
      expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      const other = await fetch(`${restricted.url}/v1/shape?table=predictions&offset=-1`, {
        headers: { origin: 'http://evil.example', authorization: `Bearer ${READ}` },
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await restricted.close();
    }
  });
});

describe('mounted in the sync server app', () => {
  it('serves /v1/shape and its preflight next to the other routes', async () => {
    const services = new Services();
    services.setReady({ database: store.database, pusher: { close: async () => {} } as never });
    const app = createApp(services);
    const res = await app.request('/v1/shape?table=feedback&offset=-1', {
      headers: { authorization: `Bearer ${READ}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('electric-handle')).toBeTruthy();
    // pmm's own header on an initial sync: the table's size, readable cross-origin.
    expect(res.headers.get('pmm-total-rows')).toBe(String(await countRows('feedback')));
    const preflight = await app.request('/v1/shape?table=feedback', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect((await app.request('/v1/nope')).status).toBe(404);
    const doc = await (await app.request('/openapi.json')).json();
    expect(doc.paths['/v1/shape'].get.summary).toMatch(/shape/);
  });
});

async function countRows(table: string): Promise<number> {
  const result = (await store.database.db.execute(
    sql.raw(`select count(*)::int as n from ${table}`),
  )) as unknown;
  const rows = Array.isArray(result) ? result : (result as { rows: { n: number }[] }).rows;
  return Number(rows[0].n);
}

async function maxSeq(): Promise<string> {
  const result = (await store.database.db.execute(
    sql`select max(seq)::text as m from predictions`,
  )) as unknown;
  const rows = Array.isArray(result) ? result : (result as { rows: { m: string }[] }).rows;
  return rows[0].m;
}
