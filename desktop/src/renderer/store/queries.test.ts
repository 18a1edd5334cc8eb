// Window queries over the local log: by model, node, time range and last N; distinct facets.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { predictionRows } from '../../../test/fake-shape-server';
import { applyOperations } from './apply';
import { PmmDb } from './db';
import { currentAliases, loadWindow, logFacets } from './queries';

let db: PmmDb;
afterEach(async () => {
  await db?.delete();
});

async function seed(n: number) {
  db = new PmmDb(`queries-${Math.random()}`);
  const rows = predictionRows(n).map((r, i) => ({ ...r, model_version: i < n / 2 ? 'v1' : 'v2' }));
  await applyOperations(
    db,
    'predictions',
    rows.map((value) => ({ op: 'insert' as const, value })),
    null,
  );
}

describe('loadWindow', () => {
  it('filters by model, node and time, oldest first', async () => {
    await seed(100);
    const t0 = Date.UTC(2026, 0, 1);
    const v2 = await loadWindow(db, { modelVersion: 'v2' });
    expect(v2).toHaveLength(50);
    expect(v2.every((p) => p.model_version === 'v2')).toBe(true);
    const nodeB = await loadWindow(db, { modelVersion: 'v1', nodeId: 'edge-b' });
    expect(nodeB).toHaveLength(25);
    const range = await loadWindow(db, { from: t0 + 10 * 60_000, to: t0 + 19 * 60_000 });
    expect(range.map((p) => p.ts)).toEqual(Array.from({ length: 10 }, (_, i) => t0 + (10 + i) * 60_000));
  });

  it('takes the last N of the window', async () => {
    await seed(100);
    const last = await loadWindow(db, { nodeId: 'edge-a', lastN: 5 });
    expect(last).toHaveLength(5);
    expect(last.map((p) => p.seq)).toEqual([91, 93, 95, 97, 99]);
  });
});

describe('logFacets', () => {
  it('lists distinct nodes and versions without scanning', async () => {
    await seed(40);
    expect(await logFacets(db)).toEqual({ nodes: ['edge-a', 'edge-b'], versions: ['v1', 'v2'], rows: 40 });
  });
});

describe('currentAliases', () => {
  it('takes the latest entry per alias', () => {
    const row = (id: number, alias: string, to: string, ts: number) => ({
      id,
      alias,
      to_version: to,
      from_version: null,
      actor: null,
      reason: null,
      at: '',
      ts,
    });
    const current = currentAliases([
      row(1, 'production', 'v1', 1),
      row(3, 'production', 'v3', 3),
      row(2, 'challenger', 'v2', 2),
    ]);
    expect(current.get('production')?.to_version).toBe('v3');
    expect(current.get('challenger')?.to_version).toBe('v2');
  });
});
