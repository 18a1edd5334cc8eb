// Profile chunks: ingest (idempotency, conflicts, refusals, metrics, auth) and fleet drift summed in SQL, checked
// against core's mergeProfiles + profileDriftReport of the same chunks (fleet, one node, window edges).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fitCbpe, holdoutCbpeData } from '@pmm/core/estimate';
import { type ModelCard, modelSchemaOf, mulberry32 } from '@pmm/core/model';
import {
  estimateFromProfile,
  mergeProfiles,
  type Profile,
  ProfileBuilder,
  type ProfileSpec,
  profileDriftReport,
  profileSpecFromReference,
} from '@pmm/core/profile';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, rows } from '../db/client';
import {
  addNode,
  artifactVersion,
  READ_TOKEN,
  registerBody,
  startTestServer,
  type TestServer,
} from '../test/harness';
import { fleetProfile } from './fleet';

const VERSION = 'churn-profiles-1';
const OTHER = 'churn-profiles-2';

let server: TestServer;
let card: ModelCard;
let spec: ProfileSpec;
let tokenA: string;

interface Chunk {
  chunk_id: string;
  model_version: string;
  start: string;
  end: string;
  profile: Profile;
  node: string;
}
const chunks: Chunk[] = [];

/** mulberry32 (core's seeded generator). */
const rng = mulberry32;

/** A chunk of `n` rows drawn from the reference profile (shifted on node B), with scores and some labels. */
function buildChunk(node: string, start: Date, minutes: number, n: number, r: () => number): Chunk {
  const b = new ProfileBuilder(spec);
  const shift = node === 'node-b' ? 1 : 0;
  for (let i = 0; i < n; i++) {
    const row: Record<string, string | number | null> = {};
    for (const f of spec.features) {
      const ref = card.reference_profile.columns[f.name]!;
      if (r() < 0.01) row[f.name] = null;
      else if (ref.type === 'numerical') {
        const v = ref.values[Math.floor(r() * ref.values.length)]!;
        row[f.name] = v * (1 + 0.3 * shift * r());
      } else {
        const cats = Object.keys(ref.counts);
        row[f.name] = r() < 0.02 ? 'never-seen' : cats[Math.floor(r() ** (1 + shift) * cats.length)]!;
      }
    }
    const score = r();
    b.add(row, score, r() < 0.3 ? (r() < score ? 1 : 0) : null);
  }
  const end = new Date(start.getTime() + minutes * 60_000);
  return {
    chunk_id: `${node}/${start.toISOString()}`,
    model_version: VERSION,
    start: start.toISOString(),
    end: end.toISOString(),
    profile: b.build(),
    node,
  };
}

const body = (node: string, list: Chunk[]) => ({
  node_id: node,
  chunks: list.map(({ node: _n, ...c }) => c),
});

const T0 = Date.parse('2026-03-01T21:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

beforeAll(async () => {
  server = await startTestServer();
  for (const v of [VERSION, OTHER]) {
    const registered = await server.call('POST', '/v1/models', {
      json: registerBody(await artifactVersion(v)),
    });
    expect(registered.status).toBe(201);
  }
  const aliased = await server.call('POST', `/v1/models/${VERSION}/aliases`, {
    json: { alias: 'production' },
  });
  expect(aliased.status).toBeLessThan(300);
  card = (await artifactVersion(VERSION)).card;
  spec = profileSpecFromReference(VERSION, card.reference_profile, modelSchemaOf(card).features);
  tokenA = await addNode(server, 'node-a');
  await addNode(server, 'node-b');
  // 20-minute chunks over 29 hours (crossing midnight twice... once), both nodes; node B from a shifted mix.
  const r = rng(7);
  for (const node of ['node-a', 'node-b'])
    for (let m = 0; m < 29 * 60; m += 20) chunks.push(buildChunk(node, at(m), 20, 12, r));
}, 120_000);
afterAll(() => server?.close());

type Result = { accepted: number; duplicates: number; refused: { index: number; reason: string }[] };

async function ingest(node: string, list: Chunk[], token?: string): Promise<Result> {
  const res = await server.call('POST', '/v1/ingest/profiles', { json: body(node, list), token });
  expect(res.status).toBe(200);
  return (await res.json()) as Result;
}

const inWindow = (from: Date, to: Date, node?: string) =>
  chunks.filter(
    (c) =>
      Date.parse(c.start) >= from.getTime() &&
      Date.parse(c.start) < to.getTime() &&
      (!node || c.node === node),
  );

type Fleet = {
  model: string;
  version: string;
  nodes: number;
  rows: number;
  drift: ReturnType<typeof profileDriftReport> | null;
  estimated_performance: Record<string, { estimate: number; realized: number | null }> | null;
};

async function fleet(query: string): Promise<Fleet> {
  const res = await server.call('GET', `/v1/drift/fleet?${query}`, { token: READ_TOKEN });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Fleet;
}

/** The fleet report equals core's report of mergeProfiles of the same chunks (categorical scores to 1e-12). */
function expectSameDrift(got: Fleet['drift'], expected: Profile) {
  const want = profileDriftReport(card.reference_profile, spec, expected);
  expect(got).not.toBeNull();
  expect(got!.current_rows).toBe(want.current_rows);
  expect(got!.columns.map((c) => [c.column, c.method, c.verdict])).toEqual(
    want.columns.map((c) => [c.column, c.method, c.verdict]),
  );
  for (const [i, c] of got!.columns.entries()) {
    const w = want.columns[i]!;
    if (w.score === null) expect(c.score).toBeNull();
    else if (c.type === 'categorical') expect(Math.abs(c.score! - w.score)).toBeLessThan(1e-12);
    else expect(c.score!).toBeCloseTo(w.score, 9);
    expect(c.exact).toBe(w.exact);
  }
  expect(got!.number_of_drifted_columns).toBe(want.number_of_drifted_columns);
  expect(got!.dataset_drift).toBe(want.dataset_drift);
}

describe('POST /v1/ingest/profiles', () => {
  it('stores chunks once: a resend is duplicates, other content under a stored id is a refused conflict', async () => {
    const a = chunks.filter((c) => c.node === 'node-a');
    const b = chunks.filter((c) => c.node === 'node-b');
    const first = await ingest('node-a', a.slice(0, 40), tokenA);
    expect(first).toEqual({ accepted: 40, duplicates: 0, refused: [] });
    const rest = await ingest('node-a', a.slice(30), tokenA);
    expect(rest).toEqual({ accepted: a.length - 40, duplicates: 10, refused: [] });
    expect(await ingest('node-b', b)).toEqual({ accepted: b.length, duplicates: 0, refused: [] });

    const changed = structuredClone(a[3]!);
    changed.profile.rows += 1;
    const conflict = await ingest('node-a', [a[2]!, changed], tokenA);
    expect(conflict.accepted).toBe(0);
    expect(conflict.duplicates).toBe(1);
    expect(conflict.refused).toEqual([
      { index: 1, reason: expect.stringMatching(/^chunk_id: already stored/) },
    ]);

    const [count] = await rows<{ n: number; r: string }>(
      server.database.db,
      sql`select count(*)::int as n, sum(rows)::text as r from profile_chunks`,
    );
    expect(count).toEqual({ n: chunks.length, r: String(chunks.reduce((s, c) => s + c.profile.rows, 0)) });
    // rollups were added to once per chunk: the fleet's daily rollups hold every row
    const [rolled] = await rows<{ r: string; c: string }>(
      server.database.db,
      sql`select sum(rows)::text as r, sum(chunks)::text as c from profile_rollups where node_id = '' and grain = 'day'`,
    );
    expect(rolled).toEqual({ r: count!.r, c: String(chunks.length) });
  });

  it('refuses, by index and reason, unknown versions, other layouts, bad profiles and bad fields', async () => {
    const good = chunks[0]!;
    const unknown = { ...structuredClone(good), chunk_id: 'x-1', model_version: 'nope-1' };
    unknown.profile.model_version = 'nope-1';
    const layout = { ...structuredClone(good), chunk_id: 'x-2' };
    layout.profile.layout_hash = '0123456789abcdef';
    const bins = { ...structuredClone(good), chunk_id: 'x-3' };
    const numerical = spec.features.find((f) => f.kind === 'numerical')!.name;
    (bins.profile.columns[numerical] as { counts: number[] }).counts.push(0);
    const broken = { ...structuredClone(good), chunk_id: 'x-4' };
    (broken.profile as { rows: unknown }).rows = -1;
    const backwards = { ...structuredClone(good), chunk_id: 'x-5', end: '2020-01-01T00:00:00Z' };
    const res = await ingest('node-a', [
      unknown,
      layout,
      bins,
      broken,
      backwards,
      { chunk_id: 'x-6' } as never,
    ]);
    expect(res.accepted).toBe(0);
    expect(res.refused.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(res.refused[0]!.reason).toMatch(/^model_version: nope-1 is not registered/);
    expect(res.refused[1]!.reason).toMatch(/^profile\.layout_hash: 0123456789abcdef is not the layout/);
    expect(res.refused[2]!.reason).toMatch(new RegExp(`^profile\\.columns\\.${numerical}\\.counts`));
    expect(res.refused[3]!.reason).toMatch(/^profile: rows/);
    expect(res.refused[4]!.reason).toMatch(/^end: must not be before start/);
    expect(res.refused[5]!.reason).toMatch(/^model_version/);

    const metrics = await (await server.call('GET', '/metrics')).text();
    expect(metrics).toContain('pmm_profile_chunks_total{outcome="refused",reason="unknown_version"} 1');
    expect(metrics).toContain('pmm_profile_chunks_total{outcome="refused",reason="layout_mismatch"} 2');
    expect(metrics).toContain('pmm_profile_chunks_total{outcome="refused",reason="invalid"} 3');
    expect(metrics).toContain('pmm_profile_chunks_total{outcome="refused",reason="conflict"} 1');
    expect(metrics).toMatch(/pmm_profile_chunks_total\{outcome="duplicate"\} 11/);
  });

  it('needs a token for the node it names, and a well-formed body', async () => {
    const other = await server.call('POST', '/v1/ingest/profiles', {
      json: body('node-b', [chunks[0]!]),
      token: tokenA,
    });
    expect(other.status).toBe(403);
    const none = await server.call('POST', '/v1/ingest/profiles', {
      json: body('node-a', []),
      token: tokenA,
    });
    expect(none.status).toBe(422);
    expect(((await none.json()) as { error: { message: string } }).error.message).toContain('chunks');
    const read = await server.call('POST', '/v1/ingest/profiles', {
      json: body('node-a', [chunks[0]!]),
      token: READ_TOKEN,
    });
    expect(read.status).toBe(403);
  });
});

describe('GET /v1/drift/fleet', () => {
  it('equals the report of mergeProfiles of the same chunks, for the fleet and for one node', async () => {
    // 21:35 → next day 23:10: partial hours, whole hours and one whole day
    const from = at(35);
    const to = at(26 * 60 + 10);
    const q = `model=${VERSION}&from=${from.toISOString()}&to=${to.toISOString()}`;
    const all = inWindow(from, to);
    const merged = mergeProfiles(all.map((c) => c.profile));
    const report = await fleet(q);
    expect(report).toMatchObject({ model: VERSION, version: VERSION, nodes: 2, rows: merged.rows });
    expectSameDrift(report.drift, merged);

    const inSql = (await fleetProfile(server.database.db, spec, { version: VERSION, node: null, from, to }))
      .profile;
    for (const f of spec.features) {
      const got = inSql.columns[f.name]!;
      const want = merged.columns[f.name]!;
      if (got.type === 'categorical') expect(got).toEqual(want);
      else if (want.type === 'numerical') {
        expect(got.counts).toEqual(want.counts);
        expect([got.n, got.missing, got.invalid, got.min, got.max]).toEqual([
          want.n,
          want.missing,
          want.invalid,
          want.min,
          want.max,
        ]);
        expect(got.mean).toBeCloseTo(want.mean, 9);
        expect(got.m2 / want.m2).toBeCloseTo(1, 9);
      }
    }
    expect(inSql.score!.counts).toEqual(merged.score!.counts);
    expect(inSql.score!.labelled).toEqual(merged.score!.labelled);
    expect(inSql.score!.positives).toEqual(merged.score!.positives);
    for (const [i, s] of inSql.score!.score_sum.entries())
      expect(s).toBeCloseTo(merged.score!.score_sum[i]!, 9);

    const fit = fitCbpe(holdoutCbpeData(card.reference_predictions!));
    const want = estimateFromProfile(fit, merged.score).metrics;
    expect(report.estimated_performance).not.toBeNull();
    // estimateFromScoreBins works on bins, not pseudo-rows: equal up to NannyML's per-row 5-decimal rounding
    for (const [m, r] of Object.entries(want)) {
      expect(report.estimated_performance![m]!.estimate).toBeCloseTo(r!.estimate, m === 'roc_auc' ? 6 : 9);
      if (Number.isFinite(r!.realized))
        expect(report.estimated_performance![m]!.realized).toBeCloseTo(r!.realized, 9);
    }

    const b = await fleet(`${q}&node=node-b`);
    const mergedB = mergeProfiles(inWindow(from, to, 'node-b').map((c) => c.profile));
    expect(b).toMatchObject({ nodes: 1, rows: mergedB.rows });
    expectSameDrift(b.drift, mergedB);
    expect(b.drift!.number_of_drifted_columns).not.toBe(report.drift!.number_of_drifted_columns + 1000);
  });

  it('takes a chunk at the window start, not one at its end, whatever the grain of the window', async () => {
    const windows: [Date, Date][] = [
      [at(60), at(120)], // one whole hour: its hourly rollup
      [at(180), at(27 * 60)], // whole day 2026-03-02 plus hours on both sides
      [at(3 * 60 + 20), at(3 * 60 + 40)], // one chunk inside an hour
      [at(3 * 60 + 21), at(3 * 60 + 41)], // a chunk at neither edge → the next chunk's start only
      [at(0), at(29 * 60)], // everything
      [at(3 * 60 + 5), at(5 * 60 + 45)], // the fleet's 5-minute rollups at both edges, an hour between
      [at(3 * 60 + 7), at(5 * 60 + 43)], // and chunks in the partial 5 minutes outside them
    ];
    for (const [from, to] of windows) {
      for (const node of [undefined, 'node-a']) {
        const want = inWindow(from, to, node);
        const q = `model=${VERSION}&from=${from.toISOString()}&to=${to.toISOString()}${node ? `&node=${node}` : ''}`;
        const got = await fleet(q);
        const rowsWanted = want.reduce((s, c) => s + c.profile.rows, 0);
        expect(got.rows, `${q}`).toBe(rowsWanted);
        expectSameDrift(got.drift, mergeProfiles(want.map((c) => c.profile)));
      }
    }
    const empty = await fleet(`model=${VERSION}&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`);
    expect(empty).toMatchObject({ rows: 0, nodes: 0, drift: null, estimated_performance: null });
  });

  it("builds stored chunks' fleet 5-minute rollups in migration 0008 exactly as ingest builds them", async () => {
    const db = server.database.db;
    const snapshot = () =>
      rows<Record<string, unknown>>(
        db,
        sql`select r.model_version, r.period_start, r.rows, r.chunks, r.first_at, r.last_at, c.kind, c.col,
          (select array_agg(x order by x) from unnest(c.keys, c.counts, c.sums, c.labelled, c.positives)
            as u(k, n, s, l, q) cross join lateral (select k || ':' || n || ':' || coalesce(round(s::numeric, 9)::text, '')
              || ':' || coalesce(l::text, '') || ':' || coalesce(q::text, '')) v(x)) as bins,
          c.missing, c.invalid, c.unseen, c.n, c.min, c.max, c.mean, c.m2
        from profile_rollups r join profile_rollup_columns c on c.rollup_id = r.id
        where r.grain = '5min' order by r.model_version, r.period_start, c.kind, c.col`,
      );
    const ingested = await snapshot();
    expect(ingested.length).toBeGreaterThan(0);
    // the migration's backfill (its last two statements) on the same chunks, from scratch
    const migration = readFileSync(join(MIGRATIONS_DIR, '0008_fleet-5min.sql'), 'utf8').split(
      '--> statement-breakpoint',
    );
    await db.execute(sql`delete from profile_rollups where grain = '5min'`);
    for (const statement of migration.slice(-2)) await db.execute(sql.raw(statement));
    const rebuilt = await snapshot();
    // mean and M2 pooled at once rather than chunk by chunk: equal up to rounding
    const exact = (r: Record<string, unknown>) => ({ ...r, mean: null, m2: null });
    expect(rebuilt.map(exact)).toEqual(ingested.map(exact));
    for (const [i, r] of rebuilt.entries())
      for (const k of ['mean', 'm2']) {
        const [a, b] = [Number(r[k]), Number(ingested[i]![k])];
        expect(Math.abs(a - b), `${k} of ${r.col}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
      }
  });

  it('resolves a model name through its production alias; 404 for an unknown model; 422 naming the field', async () => {
    const named = await fleet(`model=churn&from=${at(0).toISOString()}&to=${at(60).toISOString()}`);
    expect(named).toMatchObject({ model: 'churn', version: VERSION });
    const unknown = await server.call(
      'GET',
      `/v1/drift/fleet?model=nope&from=${at(0).toISOString()}&to=${at(60).toISOString()}`,
      {
        token: READ_TOKEN,
      },
    );
    expect(unknown.status).toBe(404);
    const bad = await server.call(
      'GET',
      `/v1/drift/fleet?model=${VERSION}&from=yesterday&to=${at(60).toISOString()}`,
      {
        token: READ_TOKEN,
      },
    );
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain('from');
    const backwards = await server.call(
      'GET',
      `/v1/drift/fleet?model=${VERSION}&from=${at(60).toISOString()}&to=${at(0).toISOString()}`,
      { token: READ_TOKEN },
    );
    expect(backwards.status).toBe(422);
    expect(JSON.stringify(await backwards.json())).toContain('"to"');
    const missing = await server.call(
      'GET',
      `/v1/drift/fleet?from=${at(0).toISOString()}&to=${at(60).toISOString()}`,
      {
        token: READ_TOKEN,
      },
    );
    expect(missing.status).toBe(422);
    expect(JSON.stringify(await missing.json())).toContain('model');
  });

  it('serves the chunks as the profile_chunks shape (sparse profiles)', async () => {
    const res = await server.call('GET', '/v1/shape?table=profile_chunks&offset=-1', { token: READ_TOKEN });
    expect(res.status).toBe(200);
    const messages = (await res.json()) as { value?: { chunk_id: string; profile: string } }[];
    const values = messages.filter((m) => m.value).map((m) => m.value!);
    expect(values.length).toBe(chunks.length);
    const sparse = JSON.parse(values[0]!.profile) as { format: string; columns: Record<string, unknown> };
    expect(sparse.format).toBe('pmm-profile-sparse/1');
    // jsonb keeps object keys in its own order
    expect(Object.keys(sparse.columns).sort()).toEqual(spec.features.map((f) => f.name).sort());
  });
});
