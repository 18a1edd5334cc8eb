// The sync engine against the real sync server (child process, PGlite or DATABASE_URL): chunked catch-up,
// progress, resume after a restart of the app, offline while the server is down, live rows after it returns.
import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  READ_TOKEN,
  type RealSyncServer,
  type Seeded,
  seedTelco,
  shapeHead,
  startRealSyncServer,
} from '../../../test/real-sync-server';
import { PmmDb, SYNCED_TABLES } from '../store/db';
import { SyncEngine, type TableProgress } from './engine';

let server: RealSyncServer;
let seeded: Seeded;
let db: PmmDb;
let engine: SyncEngine | undefined;
/** Every shape request the engine sent (through the real fetch). */
const requests: URL[] = [];
const recordingFetch: typeof fetch = (input, init) => {
  requests.push(new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url));
  return fetch(input, init);
};

beforeAll(async () => {
  // Small pages, so 700 rows take several responses (the server's default is 10,000 rows per response); the
  // live long-poll keeps its default (20 s).
  server = await startRealSyncServer({ env: { PMM_SHAPE_PAGE_ROWS: '300' } });
  seeded = await seedTelco(server, { models: inject('pmmModels'), predictions: 700 });
});

afterAll(async () => {
  await server?.close();
});

afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  await db?.delete();
  if (!server.running) await server.restart();
});

function newEngine(extra: Partial<ConstructorParameters<typeof SyncEngine>[0]> = {}) {
  engine = new SyncEngine({
    db,
    baseUrl: server.url,
    token: READ_TOKEN,
    tables: ['predictions'],
    fetchClient: recordingFetch,
    live: false,
    chunkSize: 200,
    maxRetryDelayMs: 100,
    ...extra,
  });
  return engine;
}

/** Resolves once `check` holds, polling. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('SyncEngine on the real sync server', () => {
  it('catches up in pages and chunks, storing the rows as ingested, with int8 as decimal strings', async () => {
    db = new PmmDb(`engine-${Math.random()}`);
    const progress: TableProgress[] = [];
    requests.length = 0;
    const e = newEngine();
    e.on('progress', (p) => progress.push(p));
    await e.start();
    await e.whenUpToDate();
    expect(await db.predictions.count()).toBe(700);
    const r0 = seeded.row(0);
    const first = await db.predictions.get(r0.id);
    expect(first).toMatchObject({
      prediction_id: r0.id,
      node_id: 'edge-1',
      model_version: seeded.production,
      created_at: new Date(r0.ts).toISOString(),
      ts: r0.ts,
    });
    expect(first!.probability).toBeGreaterThan(0);
    expect(first!.probability).toBeLessThan(1);
    expect(first!.label).toBe(first!.probability >= 0.5 ? 1 : 0);
    expect(Object.keys(first!.features)).toHaveLength(19);
    // The server declares int8 as text (IndexedDB cannot hold BigInt): seq arrives as a decimal string.
    expect(first!.seq).toMatch(/^\d+$/);
    // 700 rows in pages of 300 and chunks of 200: several progress steps, rising, ending up to date. The real
    // server sends no row total, so the bar is indeterminate (total null).
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress.at(-1)).toMatchObject({ rows: 700, total: 700, upToDate: true });
    const rows = progress.map((p) => p.rows);
    expect([...rows].sort((a, b) => a - b)).toEqual(rows);
    const head = await shapeHead(server, 'predictions');
    expect(await db.sync_state.get('predictions')).toMatchObject({
      handle: head.handle,
      offset: head.offset,
    });
    expect(requests[0]?.searchParams.get('offset')).toBe('-1');
    expect(
      requests.filter((u) => u.searchParams.get('table') === 'predictions').length,
    ).toBeGreaterThanOrEqual(3);
    expect(e.status.online).toBe(true);
    expect(server.store.kind).toBe(process.env['DATABASE_URL'] ? 'postgres' : 'pglite');
    expect(server.output()).toContain(`ready (${server.store.kind}:`);
  });

  it('resumes from the stored handle and offset after the app restarts, fetching only new rows', async () => {
    const name = `engine-${Math.random()}`;
    db = new PmmDb(name);
    await newEngine({ tables: ['predictions', 'feedback'] }).start();
    await engine!.whenUpToDate();
    const stored = await db.sync_state.get('predictions');
    await engine!.stop();
    db.close();

    // New rows arrive at the server while the app is closed; a fresh engine on the reopened database continues.
    const added = await seeded.ingest(700, 800);
    requests.length = 0;
    db = new PmmDb(name);
    await newEngine({ tables: ['predictions', 'feedback'] }).start();
    await engine!.whenUpToDate();
    const first = requests.find((u) => u.searchParams.get('table') === 'predictions');
    expect(first?.searchParams.get('offset')).toBe(stored!.offset);
    expect(first?.searchParams.get('handle')).toBe(stored!.handle);
    expect(await db.predictions.count()).toBe(800);
    expect(await db.feedback.count()).toBe(seeded.feedback + added.feedback);
    // Only the new rows came over the wire.
    expect(await db.predictions.get(seeded.row(799).id)).toMatchObject({ node_id: seeded.row(799).node });
  });

  it('reports offline while the server is down and catches up when it returns', async () => {
    db = new PmmDb(`engine-${Math.random()}`);
    await server.stop();
    const e = newEngine();
    const statuses: boolean[] = [];
    e.on('status', (st) => statuses.push(st.online));
    await e.start();
    await new Promise((r) => setTimeout(r, 500));
    expect(e.status.online).toBe(false);
    expect(await db.predictions.count()).toBe(0);
    await server.restart();
    await e.whenUpToDate();
    expect(e.status.online).toBe(true);
    expect(await db.predictions.count()).toBe(800);
    expect(statuses).toContain(false);
  });

  it('follows the log live, through a crash of the server, and gets the rows ingested after it', async () => {
    db = new PmmDb(`engine-${Math.random()}`);
    const e = newEngine({ live: true });
    await e.start();
    await e.whenUpToDate();
    expect(await db.predictions.count()).toBe(800);
    await seeded.ingest(800, 850);
    await until(async () => (await db.predictions.count()) === 850);

    await server.kill();
    await until(() => !e.status.online);
    await server.restart();
    // Back online before the reconnected live request (held 20 s by the server) could have answered: the
    // engine probes /ready while offline.
    await until(() => e.status.online, 15_000);
    await seeded.ingest(850, 900);
    await until(async () => (await db.predictions.count()) === 900);
    expect(await db.sync_state.get('predictions')).toMatchObject(
      await shapeHead(server, 'predictions').then(({ handle, offset }) => ({ handle, offset })),
    );
  });

  it('sends the read token as a bearer token, and reports a refused token', async () => {
    db = new PmmDb(`engine-${Math.random()}`);
    let auth: string | null = null;
    const fetchClient: typeof fetch = (input, init) => {
      // Shape requests only: the /ready probe (while not yet online) carries no token.
      if (String(input).includes('/v1/shape')) auth = new Headers(init?.headers).get('authorization');
      return fetch(input, init);
    };
    await newEngine({ fetchClient, tables: ['models'] }).start();
    await engine!.whenUpToDate();
    expect(auth).toBe(`Bearer ${READ_TOKEN}`);
    expect((await db.models.toArray()).map((m) => m.version).sort()).toEqual(
      [seeded.production, seeded.challenger].sort(),
    );
    await engine!.stop();

    const bad = newEngine({ token: 'not-a-token-0123456789', tables: ['models'] });
    await bad.start();
    await until(() => bad.status.error !== null);
    expect(bad.status.error).toContain('401');
  });

  it('follows all six tables live over one held request, so writes find free connections', async () => {
    db = new PmmDb(`engine-${Math.random()}`);
    let inFlight = 0;
    const fetchClient: typeof fetch = async (input, init) => {
      inFlight++;
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const e = newEngine({ live: true, tables: SYNCED_TABLES, fetchClient });
    await e.start();
    await e.whenUpToDate();
    const samples: number[] = [];
    for (let i = 0; i < 40; i++) {
      samples.push(inFlight);
      await new Promise((r) => setTimeout(r, 50));
    }
    // One change long-poll for the six tables (the engine's /ready probe does not run while online).
    expect(Math.max(...samples)).toBe(1);

    // Still live: new predictions and a note arrive, each through its own shape.
    const { rows } = await shapeHead(server, 'predictions');
    await seeded.ingest(rows, rows + 10);
    await until(async () => (await db.predictions.count()) === rows + 10);
    await server.call('POST', '/v1/notes', {
      json: { id: crypto.randomUUID(), subject_type: 'model', subject_id: seeded.production, text: 'live' },
    });
    await until(async () => (await db.notes.count()) === 1);
  });
});
