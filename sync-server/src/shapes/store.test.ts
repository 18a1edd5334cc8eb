// The store: a safe seq horizon (no row of a late-committing transaction skipped) and rotated handles kept.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../test/harness';
import { rotateShapeHandle, SeqHorizon } from './store';
import {
  insertPredictionRows,
  putShapeTokens,
  READ,
  type ShapeServer,
  startShapeServer,
} from './test-support';

describe('SeqHorizon', () => {
  it('advances to the sequence value when no writer is in flight', () => {
    const h = new SeqHorizon();
    expect(h.observe(10n, [])).toBe(10n);
    expect(h.observe(25n, [])).toBe(25n);
  });

  it('holds a value back until every writer seen with it has ended', () => {
    const h = new SeqHorizon();
    expect(h.observe(10n, [])).toBe(10n);
    expect(h.observe(20n, ['3/1'])).toBe(10n);
    // Another writer starts; 3/1 still runs: nothing new is safe.
    expect(h.observe(30n, ['3/1', '4/7'])).toBe(10n);
    // 3/1 ended: 20 is safe (only 3/1 was in flight when 20 was read), 30 waits for 4/7.
    expect(h.observe(35n, ['4/7'])).toBe(20n);
    expect(h.observe(40n, [])).toBe(40n);
  });

  it('never moves backwards', () => {
    const h = new SeqHorizon();
    h.observe(50n, []);
    expect(h.observe(40n, [])).toBe(50n);
    expect(h.observe(45n, ['1/1'])).toBe(50n);
  });
});

describe('rotated handles', () => {
  let store: TestDatabase;
  beforeAll(async () => {
    store = await openTestDatabase();
    await putShapeTokens(store.database);
  });
  afterAll(() => store?.cleanup());

  const handleOf = async (server: ShapeServer) => {
    const res = await fetch(`${server.url}/v1/shape?table=drift_reports&offset=-1`, {
      headers: { authorization: `Bearer ${READ}` },
    });
    return res.headers.get('electric-handle')!;
  };

  it('are not issued again after a restart (shape_epochs keeps them)', async () => {
    const before = await startShapeServer(store.database);
    const original = await handleOf(before);
    await rotateShapeHandle('drift_reports', store.database);
    const rotated = await handleOf(before);
    await before.close();
    expect(rotated).not.toBe(original);

    // A restart: fresh modules, so nothing rotated in memory.
    vi.resetModules();
    const support = await import('./test-support');
    const after = await support.startShapeServer(store.database);
    try {
      expect(await handleOf(after)).toBe(rotated);
    } finally {
      await after.close();
    }
  });
});

describe.runIf(process.env.DATABASE_URL)('shape reads on PostgreSQL with concurrent writers', () => {
  let store: TestDatabase;
  let server: ShapeServer;
  let other: postgres.Sql;

  beforeAll(async () => {
    store = await openTestDatabase();
    await putShapeTokens(store.database);
    server = await startShapeServer(store.database, { liveTimeoutMs: 1_000, pollMs: 50 });
    other = postgres((store.env as { DATABASE_URL: string }).DATABASE_URL, { max: 2, onnotice: () => {} });
  });

  afterAll(async () => {
    await server?.close();
    await other?.end();
    await store?.cleanup();
  });

  const read = async (offset: string, handle?: string) => {
    const res = await fetch(
      `${server.url}/v1/shape?table=predictions&offset=${offset}${handle ? `&handle=${handle}` : ''}`,
      { headers: { authorization: `Bearer ${READ}` } },
    );
    const body = (await res.json()) as { value?: { seq: string } }[];
    return {
      handle: res.headers.get('electric-handle')!,
      offset: res.headers.get('electric-offset')!,
      seqs: body.filter((m) => m.value).map((m) => m.value!.seq),
    };
  };

  it('does not pass a seq taken by a transaction that commits later', async () => {
    await insertPredictionRows(store.database, 2);
    const first = await read('-1');
    expect(first.seqs).toHaveLength(2);

    // A takes the next seq and stays open; B takes a higher one and commits.
    const a = await other.reserve();
    await a.unsafe('begin');
    await a.unsafe(
      `insert into predictions (prediction_id, created_at, node_id, model_version, features, probability, label)
       values (gen_random_uuid(), now(), 'edge-1', 'churn-1', '{}', 0.1, 0) returning seq`,
    );
    const [b] = await other.unsafe(
      `insert into predictions (prediction_id, created_at, node_id, model_version, features, probability, label)
       values (gen_random_uuid(), now(), 'edge-1', 'churn-1', '{}', 0.2, 0) returning seq::text as seq`,
    );

    // B's row is committed but must wait: A (lower seq) may still commit.
    const held = await read(first.offset, first.handle);
    expect(held.seqs).toEqual([]);
    expect(held.offset).toBe(first.offset);

    await a.unsafe('commit');
    a.release();
    const after = await read(first.offset, first.handle);
    expect(after.seqs).toHaveLength(2);
    expect(after.seqs[1]).toBe(b!.seq);
    expect(BigInt(after.seqs[0]!)).toBeLessThan(BigInt(after.seqs[1]!));
  });
});
