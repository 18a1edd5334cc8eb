// The column blocks stand in for the prediction rows: same window, same drift report, kept right through
// updates, deletes, replays, a must-refetch and the schema upgrade that builds them from stored rows.
import 'fake-indexeddb/auto';
import { driftTablesFromProfile, type ReferenceProfile } from '@pmm/core/drift';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTables, driftTablesFromProfileColumns, type LoadedSide, runDrift } from '../analysis/compute';
import { applyOperations, resetTable } from './apply';
import { BLOCK_ROWS, type FeatureBlock, readBlocks, selectWindow } from './blocks';
import { PmmDb } from './db';
import { loadWindow } from './queries';
import type { WindowSpec } from './window-spec';

let db: PmmDb;
afterEach(async () => {
  await db?.delete();
});

const FEATURES = [
  { name: 'tenure', kind: 'numerical' as const },
  { name: 'monthly_charges', kind: 'numerical' as const },
  { name: 'contract', kind: 'categorical' as const },
  { name: 'partner', kind: 'categorical' as const },
  { name: 'senior_citizen', kind: 'categorical' as const },
];

const START = Date.UTC(2026, 0, 1);

/** Rows with ties in time, missing cells of every kind, numeric text, unseen categories, 3 models, 3 nodes. */
function rows(n: number, offset = 0): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, j) => {
    const i = j + offset;
    const features: Record<string, string | number | null> = {
      tenure: i % 11 === 0 ? null : i % 13 === 0 ? ` ${i % 70}.5 ` : i % 72,
      monthly_charges: i % 17 === 0 ? '' : 20 + ((i * 7) % 100) / 4,
      contract: i % 19 === 0 ? 'Three year' : i % 3 === 0 ? 'Two year' : ' Month-to-month',
      senior_citizen: i % 5 === 0 ? 1 : 0,
    };
    if (i % 7 !== 0) features['partner'] = i % 23 === 0 ? '  ' : i % 2 === 0 ? 'Yes' : 'No';
    if (i % 29 === 0) features['extra'] = 'x';
    return {
      // Ids not in time order; several rows share a second.
      prediction_id: `p-${String((i * 7919) % 100_003).padStart(6, '0')}-${i}`,
      created_at: new Date(START + Math.floor(i / 3) * 1000).toISOString(),
      node_id: `edge-${i % 3}`,
      model_version: i % 4 === 0 ? 'v2' : i % 4 === 1 ? 'v1' : 'v3',
      features,
      probability: (i % 100) / 100,
      label: i % 2,
      seq: String(i + 1),
    };
  });
}

/** As core's buildReferenceProfile (not exported): sorted numbers, category counts. */
function buildReferenceProfile(
  records: Record<string, string | number>[],
  features: readonly { name: string; kind: 'numerical' | 'categorical' }[],
): ReferenceProfile {
  const columns: Record<string, ReferenceProfile['columns'][string]> = {};
  for (const f of features) {
    const cells = records.map((r) => r[f.name]!);
    if (f.kind === 'numerical') {
      columns[f.name] = { type: 'numerical', values: cells.map(Number).sort((a, b) => a - b), missing: 0 };
    } else {
      const counts: Record<string, number> = {};
      for (const c of cells.map(String).sort()) counts[c] = (counts[c] ?? 0) + 1;
      columns[f.name] = { type: 'categorical', counts, missing: 2 };
    }
  }
  return { rows: records.length, columns };
}

const reference = buildReferenceProfile(
  Array.from({ length: 300 }, (_, i) => ({
    tenure: i % 60,
    monthly_charges: 30 + (i % 50),
    contract: i % 2 ? 'Two year' : 'Month-to-month',
    partner: i % 3 ? 'Yes' : 'No',
    senior_citizen: i % 4 ? '0' : '1',
  })),
  FEATURES,
);

async function insert(list: Record<string, unknown>[], chunk = 2000): Promise<void> {
  for (let start = 0; start < list.length; start += chunk) {
    await applyOperations(
      db,
      'predictions',
      list.slice(start, start + chunk).map((value) => ({ op: 'insert' as const, value })),
      null,
    );
  }
}

const SPECS: WindowSpec[] = [
  {},
  { lastN: 1000 },
  { lastN: 1 },
  { from: START + 200_000, to: START + 900_000 },
  { from: START + 200_000, to: START + 900_000, lastN: 50 },
  { modelVersion: 'v1' },
  { modelVersion: 'v2', lastN: 333 },
  { nodeId: 'edge-2' },
  { nodeId: 'edge-1', from: START + 5_000, lastN: 77 },
  { modelVersion: 'v3', nodeId: 'edge-0', to: START + 1_000_000 },
  { modelVersion: 'nope' },
];

/** The window from blocks equals `loadWindow`'s rows, and so do the drift reports. */
async function expectBlocksMatchRows(): Promise<void> {
  const blocks = await readBlocks(db);
  expect(blocks).not.toBeNull();
  for (const spec of SPECS) {
    const expected = await loadWindow(db, spec);
    const window = selectWindow(blocks!, spec);
    expect(window.ids, JSON.stringify(spec)).toEqual(expected.map((r) => r.prediction_id));
    expect([...window.ts]).toEqual(expected.map((r) => r.ts));
    expect([...window.probability]).toEqual(expected.map((r) => r.probability));
    const records = expected.map((r) => r.features);
    expect(window.records()).toEqual(records);
    if (records.length === 0) continue;
    const profile: LoadedSide = { kind: 'profile', name: 'ref', profile: reference };
    const rowsSide: LoadedSide = { kind: 'records', name: 'cur', records };
    const columnsSide: LoadedSide = { kind: 'columns', name: 'cur', window };
    // The column-wise path is taken (not the records fallback) and builds the same tables.
    expect(
      driftTablesFromProfileColumns(reference, window, { names: { reference: 'ref', current: 'cur' } }),
    ).not.toBeNull();
    const fast = buildTables(profile, columnsSide);
    expect(fast.current).toEqual(
      driftTablesFromProfile(reference, records, { names: { reference: 'ref', current: 'cur' } }).current,
    );
    expect(runDrift(profile, columnsSide).report).toEqual(runDrift(profile, rowsSide).report);
    expect(runDrift(profile, columnsSide, {}, ['tenure']).report).toEqual(
      runDrift(profile, rowsSide, {}, ['tenure']).report,
    );
    // Window against window: the records path.
    expect(runDrift(columnsSide, columnsSide).report).toEqual(runDrift(rowsSide, rowsSide).report);
  }
}

describe('feature blocks', () => {
  it('hold the synced rows: same windows and drift reports as the rows, across several blocks', async () => {
    db = new PmmDb(`blocks-${Math.random()}`);
    // Written out of time order, in uneven chunks, so blocks are merged and split.
    const all = rows(BLOCK_ROWS + 2600);
    await insert([...all.slice(4000), ...all.slice(0, 4000)], 1700);
    const blocks = (await readBlocks(db))!;
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.every((b) => b.rows <= BLOCK_ROWS)).toBe(true);
    expect(blocks.reduce((s, b) => s + b.rows, 0)).toBe(all.length);
    await expectBlocksMatchRows();
  });

  it('stay right through updates, deletes and replayed inserts', async () => {
    db = new PmmDb(`blocks-${Math.random()}`);
    const all = rows(3000);
    await insert(all, 1000);
    const changed = { ...all[10]!, features: { tenure: 999, contract: 'Brand new' } };
    await applyOperations(
      db,
      'predictions',
      [
        { op: 'update', value: { prediction_id: all[5]!['prediction_id'], probability: 0.99 } },
        { op: 'update', value: { prediction_id: all[6]!['prediction_id'], features: { tenure: -1 } } },
        { op: 'insert', value: changed },
        { op: 'delete', value: { prediction_id: all[20]!['prediction_id'] } },
        { op: 'delete', value: { prediction_id: 'never-stored' } },
        ...rows(5, 3000).map((value) => ({ op: 'insert' as const, value })),
      ],
      { handle: 'h', offset: '1_0' },
    );
    // A replayed batch: the same inserts again.
    await insert(all.slice(100, 400));
    expect(await db.predictions.count()).toBe(3004);
    const blocks = (await readBlocks(db))!;
    expect(blocks.reduce((s, b) => s + b.rows, 0)).toBe(3004);
    const window = selectWindow(blocks, {});
    const at = (id: unknown) => window.ids.indexOf(String(id));
    expect(window.probability[at(all[5]!['prediction_id'])]).toBe(0.99);
    expect(window.records()[at(all[6]!['prediction_id'])]).toEqual({ tenure: -1 });
    expect(at(all[20]!['prediction_id'])).toBe(-1);
    await expectBlocksMatchRows();
  });

  it('are cleared with the rows on a must-refetch', async () => {
    db = new PmmDb(`blocks-${Math.random()}`);
    await insert(rows(100));
    expect(await db.feature_blocks.count()).toBe(1);
    await resetTable(db, 'predictions');
    expect(await db.feature_blocks.count()).toBe(0);
    expect(await readBlocks(db)).toEqual([]);
    await insert(rows(10, 500));
    expect(selectWindow((await readBlocks(db))!, {}).rows).toBe(10);
  });

  it('are built from the stored rows by the schema upgrade', async () => {
    const name = `blocks-upgrade-${Math.random()}`;
    const v1 = new Dexie(name);
    v1.version(1).stores({
      predictions: '&prediction_id, ts, [model_version+ts], [node_id+ts]',
      feedback: '&prediction_id, ts',
      models: '&version, ts',
      alias_history: '&id, ts, [alias+ts]',
      drift_reports: '&id, ts, [model_version+ts]',
      sync_state: '&table',
      outbox: '&key, status, created_at',
    });
    const old = rows(BLOCK_ROWS + 10).map((r) => ({ ...r, ts: Date.parse(String(r['created_at'])) }));
    await v1.table('predictions').bulkPut(old);
    v1.close();
    db = new PmmDb(name);
    const blocks = (await readBlocks(db))!;
    expect(blocks.map((b) => b.rows)).toEqual([BLOCK_ROWS, 10]);
    await expectBlocksMatchRows();
  });

  it('leave core errors to the records path (text in a numerical column, a column absent everywhere)', async () => {
    db = new PmmDb(`blocks-${Math.random()}`);
    await insert(
      rows(40).map((r, i) => ({
        ...r,
        features: { ...(r['features'] as object), tenure: i === 7 ? 'n/a' : i },
      })),
    );
    const window = selectWindow((await readBlocks(db))!, {});
    const names = { reference: 'ref', current: 'cur' };
    expect(driftTablesFromProfileColumns(reference, window, { names })).toBeNull();
    const profile: LoadedSide = { kind: 'profile', name: 'ref', profile: reference };
    const records = window.records();
    expect(() => runDrift(profile, { kind: 'columns', name: 'cur', window })).toThrow(
      'cur: column "tenure" is numerical but row 8 holds "n/a", not a number',
    );
    expect(() => runDrift(profile, { kind: 'records', name: 'cur', records })).toThrow('row 8 holds "n/a"');
    const noTenure = selectWindow((await readBlocks(db))!, { lastN: 0 });
    const stripped = { ...noTenure, columns: new Map([...noTenure.columns].filter(([c]) => c !== 'tenure')) };
    expect(() => runDrift(profile, { kind: 'columns', name: 'cur', window: stripped })).toThrow(
      'column "tenure" is in ref but not in cur',
    );
  });

  it('give way to the rows when they cannot hold a row exactly or do not match the rows', async () => {
    db = new PmmDb(`blocks-${Math.random()}`);
    await insert([{ ...rows(1)[0]!, features: { tenure: true } }]);
    expect(await readBlocks(db)).toBeNull();
    await db.feature_blocks.clear();
    expect(await readBlocks(db)).toBeNull(); // one row, no block
  });

  it('are served from the cache when unchanged, and only changed blocks are read again', async () => {
    db = new PmmDb(`blocks-${Math.random()}`);
    await insert(rows(BLOCK_ROWS + 100));
    const cache = new Map<number, FeatureBlock>();
    const first = (await readBlocks(db, cache))!;
    const again = (await readBlocks(db, cache))!;
    expect(again[0]).toBe(first[0]);
    await insert(rows(50, BLOCK_ROWS + 100));
    const third = (await readBlocks(db, cache))!;
    expect(third[0]).toBe(first[0]);
    expect(third.reduce((s, b) => s + b.rows, 0)).toBe(BLOCK_ROWS + 150);
    expect(cache.size).toBe(2);
  });
});
