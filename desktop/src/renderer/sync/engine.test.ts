// The sync engine against an in-memory shape server: chunked catch-up, progress, resume after a restart, offline.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeShapeServer, PREDICTION_SCHEMA, predictionRows } from '../../../test/fake-shape-server';
import { PmmDb } from '../store/db';
import { SyncEngine, type TableProgress } from './engine';

let db: PmmDb;
let engine: SyncEngine | undefined;
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  await db?.delete();
});

function server(rows: number): FakeShapeServer {
  const s = new FakeShapeServer();
  s.tables.set('predictions', { schema: PREDICTION_SCHEMA, pk: 'prediction_id', rows: predictionRows(rows) });
  return s;
}

function newEngine(s: FakeShapeServer, extra: Partial<ConstructorParameters<typeof SyncEngine>[0]> = {}) {
  engine = new SyncEngine({
    db,
    baseUrl: 'http://sync.test',
    token: 'read-token',
    tables: ['predictions'],
    fetchClient: s.fetch,
    live: false,
    chunkSize: 200,
    maxRetryDelayMs: 50,
    ...extra,
  });
  return engine;
}

describe('SyncEngine', () => {
  it('catches up in chunks, reporting progress against the server total, with int8 as numbers', async () => {
    db = new PmmDb(`engine-${Math.random()}`);
    const s = server(1200);
    const progress: TableProgress[] = [];
    const e = newEngine(s);
    e.on('progress', (p) => progress.push(p));
    await e.start();
    await e.whenUpToDate();
    expect(await db.predictions.count()).toBe(1200);
    const first = await db.predictions.get('00000000-0000-4000-8000-000000000000');
    expect(first).toMatchObject({
      seq: 1,
      probability: 0,
      label: 0,
      node_id: 'edge-a',
      features: { tenure: 0 },
    });
    expect(typeof first?.seq).toBe('number');
    // 1200 rows in pages of 500 and chunks of 200: several progress steps, rising, ending at the total.
    expect(progress.length).toBeGreaterThanOrEqual(6);
    expect(progress.at(-1)).toMatchObject({ rows: 1200, total: 1200, upToDate: true });
    const rows = progress.map((p) => p.rows);
    expect([...rows].sort((a, b) => a - b)).toEqual(rows);
    expect(await db.sync_state.get('predictions')).toMatchObject({ handle: 'handle-1', offset: '1200_0' });
    expect(s.requests[0]?.searchParams.get('offset')).toBe('-1');
    expect(e.status.online).toBe(true);
  });

  it('resumes from the stored handle and offset after a restart, fetching only new rows', async () => {
    const name = `engine-${Math.random()}`;
    db = new PmmDb(name);
    const s = server(700);
    await newEngine(s).start();
    await engine!.whenUpToDate();
    await engine!.stop();
    db.close();

    // New rows arrive while the app is closed; a fresh engine on a reopened database continues.
    s.tables.get('predictions')!.rows.push(...predictionRows(300, 700));
    s.requests.length = 0;
    db = new PmmDb(name);
    await newEngine(s).start();
    await engine!.whenUpToDate();
    expect(s.requests[0]?.searchParams.get('offset')).toBe('700_0');
    expect(s.requests[0]?.searchParams.get('handle')).toBe('handle-1');
    expect(await db.predictions.count()).toBe(1000);
  });

  it('reports offline while the server is down and catches up when it returns', async () => {
    db = new PmmDb(`engine-${Math.random()}`);
    const s = server(300);
    s.down = true;
    const e = newEngine(s);
    const statuses: boolean[] = [];
    e.on('status', (st) => statuses.push(st.online));
    await e.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(e.status.online).toBe(false);
    expect(await db.predictions.count()).toBe(0);
    s.down = false;
    await e.whenUpToDate();
    expect(e.status.online).toBe(true);
    expect(await db.predictions.count()).toBe(300);
    expect(statuses).toContain(false);
  });

  it('sends the read token as a bearer token', async () => {
    db = new PmmDb(`engine-${Math.random()}`);
    const s = server(1);
    let auth: string | null = null;
    const fetchClient: typeof fetch = (input, init) => {
      auth = new Headers(init?.headers).get('authorization');
      return s.fetch(input, init);
    };
    await newEngine(s, { fetchClient }).start();
    await engine!.whenUpToDate();
    expect(auth).toBe('Bearer read-token');
  });
});
