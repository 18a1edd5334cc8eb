// GET /v1/shape-changes: one held request for every followed table, answering which tables moved past the offsets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../test/harness';
import { notifyShapeChange } from './notifier';
import { SHAPE_CHANGES_PATH } from './routes';
import { rotateShapeHandle } from './store';
import {
  insertPredictionRows,
  putShapeTokens,
  READ,
  type ShapeServer,
  startShapeServer,
} from './test-support';

let store: TestDatabase;
let server: ShapeServer;

const get = (query: string, token: string | null = READ) =>
  fetch(`${server.url}${SHAPE_CHANGES_PATH}?${query}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

/** Where a client stands at the end of a table's shape: its handle and the offset of its last row. */
async function head(table: string): Promise<{ handle: string; offset: string }> {
  const response = await fetch(`${server.url}/v1/shape?table=${table}&offset=-1`, {
    headers: { authorization: `Bearer ${READ}` },
  });
  await response.text();
  return {
    handle: response.headers.get('electric-handle')!,
    offset: response.headers.get('electric-offset')!,
  };
}

const watch = (table: string, at: { handle: string; offset: string }) =>
  `watch=${encodeURIComponent(`${table}:${at.handle}:${at.offset}`)}`;

beforeAll(async () => {
  store = await openTestDatabase();
  await putShapeTokens(store.database);
  await insertPredictionRows(store.database, 5);
  server = await startShapeServer(store.database, { liveTimeoutMs: 1_500, pollMs: 5_000 });
});

afterAll(async () => {
  await server?.close();
  await store?.cleanup();
});

describe(`shape changes (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('answers at once for a table with rows past the offset, naming only that table', async () => {
    const notes = await head('notes');
    const response = await get(
      `${watch('predictions', { handle: (await head('predictions')).handle, offset: '0_0' })}&${watch('notes', notes)}`,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ changed: ['predictions'] });
  });

  it('holds the request until a watched table gets rows, then names it', async () => {
    const [predictions, notes] = await Promise.all([head('predictions'), head('notes')]);
    const started = Date.now();
    const pending = get(`${watch('predictions', predictions)}&${watch('notes', notes)}`);
    await new Promise((r) => setTimeout(r, 300));
    await insertPredictionRows(store.database, 1);
    notifyShapeChange('predictions');
    const response = await pending;
    expect(await response.json()).toEqual({ changed: ['predictions'] });
    // Woken by the notify, not by the 5 s re-read or the 1.5 s timeout.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(1_400);
  });

  it('answers an empty list when nothing changed before the live timeout', async () => {
    const started = Date.now();
    const response = await get(watch('notes', await head('notes')));
    expect(await response.json()).toEqual({ changed: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  it('names a table whose handle was retired (its shape request answers 409)', async () => {
    const models = await head('models');
    await rotateShapeHandle('models');
    expect(await (await get(watch('models', models))).json()).toEqual({ changed: ['models'] });
  });

  it('refuses a malformed watch naming it, and a missing or non-read token', async () => {
    const bad = await get('watch=nope:h:1_0');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: 'invalid_watch', details: { watch: 'nope:h:1_0' } },
    });
    expect((await get('')).status).toBe(400);
    expect((await get(watch('notes', { handle: 'h', offset: '0_0' }), null)).status).toBe(401);
  });
});
