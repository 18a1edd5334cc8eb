// Window queries over the local log: by model, node, time range and last N; distinct facets. The unit tests
// write rows straight into the store; the last block syncs a log from the real sync server and queries it.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { READ_TOKEN, seedTelco, startRealSyncServer } from '../../../test/real-sync-server';
import { SyncEngine } from '../sync/engine';
import { applyOperations } from './apply';
import { PmmDb } from './db';
import { currentAliases, loadFeedback, loadWindow, logFacets } from './queries';

let db: PmmDb;
afterEach(async () => {
  await db?.delete();
});

/** Rows as the shape stream delivers them: one a minute from 2026-01-01, alternating edge-a / edge-b. */
function predictionRows(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    prediction_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    created_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    node_id: i % 2 === 0 ? 'edge-a' : 'edge-b',
    model_version: 'v1',
    features: { tenure: i % 72, contract: i % 3 === 0 ? 'Two year' : 'Month-to-month' },
    probability: (i % 100) / 100,
    label: i % 100 >= 50 ? 1 : 0,
    seq: String(i + 1),
  }));
}

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
    expect(last.map((p) => p.seq)).toEqual(['91', '93', '95', '97', '99']);
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

describe('queries over a log synced from the real sync server', () => {
  it('windows, facets and feedback match what the edges ingested', async () => {
    const server = await startRealSyncServer();
    try {
      const total = 3000;
      // The first two thirds scored by production, the rest by the challenger (a shadow deployment).
      const seeded = await seedTelco(server, {
        models: inject('pmmModels'),
        predictions: total,
        scoredBy: (i, n) => (i < (2 * n) / 3 ? 'production' : 'challenger'),
      });
      db = new PmmDb(`queries-${Math.random()}`);
      const engine = new SyncEngine({ db, baseUrl: server.url, token: READ_TOKEN, live: false });
      await engine.start();
      await engine.whenUpToDate();
      await engine.stop();

      expect(await logFacets(db)).toEqual({
        nodes: ['edge-1', 'edge-2', 'edge-3'],
        versions: [seeded.production, seeded.challenger].sort(),
        rows: total,
      });
      const challenger = await loadWindow(db, { modelVersion: seeded.challenger });
      expect(challenger).toHaveLength(1000);
      expect(challenger[0]!.prediction_id).toBe(seeded.row(2000).id);
      const last = await loadWindow(db, { nodeId: 'edge-2', lastN: 4 });
      expect(last.map((p) => p.prediction_id)).toEqual([2989, 2992, 2995, 2998].map((i) => seeded.row(i).id));
      const day = 86_400_000;
      const firstDay = await loadWindow(db, { from: seeded.start, to: seeded.start + day - 1 });
      const expected = Array.from({ length: total }, (_, i) => seeded.row(i)).filter(
        (r) => r.ts < seeded.start + day,
      );
      expect(firstDay.map((p) => p.prediction_id)).toEqual(expected.map((r) => r.id));
      const outcomes = await loadFeedback(
        db,
        firstDay.map((p) => p.prediction_id),
      );
      expect(outcomes.size).toBeGreaterThan(0);
      expect(await db.feedback.count()).toBe(seeded.feedback);
      const history = await db.alias_history.toArray();
      const aliases = currentAliases(history);
      expect(aliases.get('production')?.to_version).toBe(seeded.production);
      expect(aliases.get('challenger')?.to_version).toBe(seeded.challenger);
    } finally {
      await server.close();
    }
  });
});
