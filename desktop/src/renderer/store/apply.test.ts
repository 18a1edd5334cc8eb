// The store writes rows and the stream position together: both or neither.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { applyOperations, resetTable } from './apply';
import { PmmDb, timestampMs } from './db';

let db: PmmDb;
const open = () => {
  db = new PmmDb(`apply-${Math.random()}`);
  return db;
};
afterEach(async () => {
  await db?.delete();
});

const row = (id: string, p = 0.5) => ({
  prediction_id: id,
  created_at: '2026-01-01 10:00:00+00',
  node_id: 'edge-a',
  model_version: 'v1',
  features: { tenure: 3 },
  probability: p,
  label: 0,
  seq: 1,
});

describe('applyOperations', () => {
  it('stores rows with a numeric ts and the position in one go', async () => {
    open();
    const state = await applyOperations(db, 'predictions', [{ op: 'insert', value: row('a') }], {
      handle: 'h',
      offset: '1_0',
      upToDate: true,
    });
    expect(state).toMatchObject({ table: 'predictions', handle: 'h', offset: '1_0', rows: 1 });
    const stored = await db.predictions.get('a');
    expect(stored?.ts).toBe(Date.UTC(2026, 0, 1, 10));
    expect((await db.sync_state.get('predictions'))?.up_to_date_at).not.toBeNull();
  });

  it('merges partial updates and applies deletes in order', async () => {
    open();
    await applyOperations(
      db,
      'predictions',
      [
        { op: 'insert', value: row('a') },
        { op: 'insert', value: row('b') },
      ],
      null,
    );
    await applyOperations(
      db,
      'predictions',
      [
        { op: 'update', value: { prediction_id: 'a', probability: 0.9 } },
        { op: 'delete', value: { prediction_id: 'b' } },
        { op: 'insert', value: row('c') },
        { op: 'delete', value: { prediction_id: 'c' } },
      ],
      { handle: 'h', offset: '5_0' },
    );
    const a = await db.predictions.get('a');
    expect(a?.probability).toBe(0.9);
    expect(a?.node_id).toBe('edge-a');
    expect(await db.predictions.count()).toBe(1);
    expect((await db.sync_state.get('predictions'))?.rows).toBe(1);
  });

  it('keeps neither rows nor position when the transaction fails', async () => {
    open();
    await applyOperations(db, 'predictions', [{ op: 'insert', value: row('a') }], {
      handle: 'h',
      offset: '1_0',
    });
    // A row IndexedDB cannot clone (a function) aborts the whole transaction, after the valid row was queued.
    const bad = { ...row('z'), features: { f: () => 1 } } as unknown as Record<string, unknown>;
    await expect(
      applyOperations(
        db,
        'predictions',
        [
          { op: 'insert', value: row('b') },
          { op: 'insert', value: bad },
        ],
        {
          handle: 'h',
          offset: '3_0',
        },
      ),
    ).rejects.toThrow();
    expect(await db.predictions.get('b')).toBeUndefined();
    expect((await db.sync_state.get('predictions'))?.offset).toBe('1_0');
  });

  it('replaying a batch leaves the same rows', async () => {
    open();
    const ops = [
      { op: 'insert' as const, value: row('a') },
      { op: 'update' as const, value: { prediction_id: 'a', label: 1 } },
    ];
    await applyOperations(db, 'predictions', ops, { handle: 'h', offset: '2_0' });
    await applyOperations(db, 'predictions', ops, { handle: 'h', offset: '2_0' });
    expect(await db.predictions.count()).toBe(1);
    expect((await db.predictions.get('a'))?.label).toBe(1);
  });

  it('resetTable drops rows and position together', async () => {
    open();
    await applyOperations(db, 'predictions', [{ op: 'insert', value: row('a') }], {
      handle: 'h',
      offset: '1_0',
    });
    await resetTable(db, 'predictions');
    expect(await db.predictions.count()).toBe(0);
    expect(await db.sync_state.get('predictions')).toMatchObject({ handle: null, offset: '-1', rows: 0 });
  });
});

describe('timestampMs', () => {
  it('reads PostgreSQL and ISO timestamps', () => {
    expect(timestampMs('2026-01-01 10:00:00+00')).toBe(Date.UTC(2026, 0, 1, 10));
    expect(timestampMs('2026-01-01 12:00:00.5+0200')).toBe(Date.UTC(2026, 0, 1, 10, 0, 0, 500));
    expect(timestampMs('2026-01-01T10:00:00Z')).toBe(Date.UTC(2026, 0, 1, 10));
    expect(timestampMs('nope')).toBeNaN();
  });
});
