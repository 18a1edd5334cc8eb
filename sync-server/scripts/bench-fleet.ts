// Fleet drift at scale: fills the profile store with 50 nodes × 30 days × 5-minute chunks (≈100M predictions)
// and times 30-day fleet reports (median of runs) on PostgreSQL (DATABASE_URL, a scratch database dropped after)
// and on PGlite (a temp directory). Prints JSON.
//
// The fill is done in SQL: 288 real chunk profiles (one per 5-minute slot of a day, built with core's
// ProfileBuilder from synthetic rows of a 19-feature model with 1,000-edge numerical bins) are inserted as every
// node's chunks of every day (`INSERT … SELECT` over generate_series), and the hourly and daily rollups (and
// the fleet's 5-minute ones) are summed from those chunks' parts in SQL, as ingest would have left them.
// Usage: tsx scripts/bench-fleet.ts [--nodes 50] [--days 30] [--runs 5] [--pglite-nodes 50] [--skip-pglite]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ReferenceProfile } from '@pmm/core/drift';
import type { ModelCard } from '@pmm/core/model';
import { mulberry32 } from '@pmm/core/model';
import { ProfileBuilder, type ProfileSpec, profileSpecFromReference, toSparse } from '@pmm/core/profile';
import { sql } from 'drizzle-orm';
import { type Database, migrateDatabase, openDatabase, rows } from '../src/db/client';
import { fleetProfile, fleetReport } from '../src/profiles/fleet';
import { createScratchDatabase } from '../src/test/scratch-database';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '50' },
    days: { type: 'string', default: '30' },
    runs: { type: 'string', default: '5' },
    'pglite-nodes': { type: 'string' },
    'skip-pglite': { type: 'boolean', default: false },
    'skip-postgres': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const NODES = Number(values.nodes);
const DAYS = Number(values.days);
const RUNS = Number(values.runs);
const SLOTS = 288; // 5-minute chunks per day
const VERSION = 'bench-fleet-1';
const DAY0 = Date.UTC(2026, 0, 1);

/** mulberry32 (core's seeded generator). */
const rng = mulberry32;

// A 19-feature model: 4 continuous, 1 integer, 14 categorical (2–5 categories).
const FEATURES = [
  ...[0, 1, 2, 3].map((i) => ({ name: `amount_${i}`, kind: 'numerical' as const })),
  { name: 'months', kind: 'numerical' as const },
  ...Array.from({ length: 14 }, (_, i) => ({ name: `category_${i}`, kind: 'categorical' as const })),
];

function row(r: () => number, shift: number): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [i, f] of FEATURES.entries()) {
    if (f.name.startsWith('amount'))
      out[f.name] = Math.round(Math.exp(3 + (i + 1) * 0.4 * -Math.log(r()) + shift) * 100) / 100;
    else if (f.name === 'months') out[f.name] = Math.floor(r() * 73);
    else out[f.name] = `c${Math.floor(r() ** (1 + shift) * (2 + (i % 4)))}`;
  }
  return out;
}

function syntheticCard(): { card: ModelCard; spec: ProfileSpec } {
  const r = rng(1);
  const records = Array.from({ length: 20_000 }, () => row(r, 0));
  const columns: Record<string, ReferenceProfile['columns'][string]> = {};
  for (const f of FEATURES) {
    if (f.kind === 'numerical')
      columns[f.name] = {
        type: 'numerical',
        values: Array.from(Float64Array.from(records.map((x) => x[f.name] as number)).sort()),
        missing: 0,
      };
    else {
      const counts: Record<string, number> = {};
      for (const x of records) counts[x[f.name] as string] = (counts[x[f.name] as string] ?? 0) + 1;
      columns[f.name] = { type: 'categorical', counts, missing: 0 };
    }
  }
  const reference: ReferenceProfile = { rows: records.length, columns };
  const scores = Array.from({ length: 2000 }, () => r());
  const card = {
    version: VERSION,
    reference_profile: reference,
    reference_predictions: { scores, targets: scores.map((s) => (r() < s ? 1 : 0)) },
  } as unknown as ModelCard;
  return { card, spec: profileSpecFromReference(VERSION, reference, FEATURES) };
}

/** One real chunk profile per 5-minute slot of a day (231 or 232 rows: 50 × 30 × 288 chunks ≈ 100M rows). */
function templates(spec: ProfileSpec) {
  const r = rng(2);
  return Array.from({ length: SLOTS }, (_, slot) => {
    const b = new ProfileBuilder(spec);
    const n = 231 + (slot % 2);
    const shift = 0.1 * Math.sin((slot / SLOTS) * 2 * Math.PI);
    for (let i = 0; i < n; i++) {
      const s = r();
      b.add(row(r, shift), s, r() < 0.1 ? (r() < s ? 1 : 0) : null);
    }
    return { slot, rows: n, sparse: toSparse(b.build(), spec) };
  });
}

async function fill(database: Database, spec: ProfileSpec, nodes: number, days: number) {
  const db = database.db;
  const t0 = performance.now();
  const lap = (what: string) =>
    process.stderr.write(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  await db.execute(
    sql`create table bench_templates (slot int primary key, rows int not null, profile jsonb not null)`,
  );
  for (const t of templates(spec))
    await db.execute(
      sql`insert into bench_templates values (${t.slot}, ${t.rows}, ${JSON.stringify(t.sparse)}::jsonb)`,
    );
  await db.execute(sql`create table bench_template_parts as
    select t.slot, p.* from bench_templates t cross join lateral pmm_profile_parts(t.profile) p`);
  lap('templates');
  // the chunks: every node, every day, every slot (one statement per day keeps transactions moderate)
  for (let d = 0; d < days; d++) {
    await db.execute(sql`insert into profile_chunks (chunk_id, node_id, model_version, layout_hash, start_at, end_at, rows, content_sha256, profile)
      select 'node-' || n || '/' || ${d} || '/' || t.slot, 'node-' || n, ${VERSION}, ${spec.hash},
        ${new Date(DAY0 + d * 86_400_000).toISOString()}::timestamptz + t.slot * interval '5 minutes',
        ${new Date(DAY0 + d * 86_400_000).toISOString()}::timestamptz + (t.slot + 1) * interval '5 minutes',
        t.rows, 'bench', t.profile
      from generate_series(1, ${nodes}) n cross join bench_templates t`);
    await db.execute(sql`insert into profile_chunk_columns
      select 'node-' || g.n || '/' || ${d} || '/' || p.slot, p.kind, p.col, p.keys, p.counts, p.sums, p.labelled,
        p.positives, p.missing, p.invalid, p.unseen, p.n, p.min, p.max, p.mean, p.m2
      from generate_series(1, ${nodes}) g(n) cross join bench_template_parts p`);
  }
  const chunksAt = performance.now();
  lap('chunks');
  // The rollups as ingest leaves them: the parts of each hour's 12 slots and of the whole day, summed in SQL
  // (every node-day holds the same 288 chunks, so each sum is computed once and written per node and day).
  await db.execute(sql`create table bench_sums as
    with parts as (
      select g.period, p.* from bench_template_parts p
      cross join lateral (values ('m' || p.slot), ('h' || (p.slot / 12)), ('d')) g(period)
    ), scalars as (
      select period, kind, col, sum(missing)::bigint missing, sum(invalid)::bigint invalid, sum(unseen)::bigint unseen,
        sum(n)::bigint n, min(min) min, max(max) max,
        case when sum(n) = 0 then 0 else sum(n * mean) / sum(n)::float8 end as mean
      from parts group by period, kind, col
    ), m2 as (
      select p.period, p.kind, p.col, coalesce(sum(p.m2 + p.n * (p.mean - s.mean) ^ 2) filter (where p.n > 0), 0) m2
      from parts p join scalars s using (period, kind, col) group by p.period, p.kind, p.col
    ), bins as (
      select period, kind, col, k, sum(c)::bigint c, sum(s) s, sum(l)::bigint l, sum(q)::bigint q
      from parts cross join lateral unnest(keys, counts, sums, labelled, positives) u(k, c, s, l, q)
      group by period, kind, col, k
    ), arrays as (
      select period, kind, col, array_agg(k) keys, array_agg(c) counts,
        case when kind = 's' then array_agg(s) end sums, case when kind = 's' then array_agg(l) end labelled,
        case when kind = 's' then array_agg(q) end positives
      from bins group by period, kind, col
    )
    select s.period, s.kind, s.col, coalesce(a.keys, '{}') keys, coalesce(a.counts, '{}') counts, a.sums, a.labelled,
      a.positives, s.missing, s.invalid, s.unseen, s.n, s.min, s.max, s.mean, m.m2
    from scalars s join m2 m using (period, kind, col) left join arrays a using (period, kind, col)`);
  lap('sums');
  const rowsOf = sql`(select sum(rows) from bench_templates t where g.grain = 'day'
    or (g.grain = 'hour' and t.slot / 12 = g.h) or (g.grain = '5min' and t.slot = g.h))`;
  // headers: node and fleet ('' node) × hour and day, and the fleet's 5 minutes
  await db.execute(sql`insert into profile_rollups (grain, node_id, model_version, period_start, rows, chunks, first_at, last_at)
    select g.grain, nd.node, ${VERSION}, g.period_start,
      ${rowsOf} * nd.mult, (case g.grain when 'day' then 288 when 'hour' then 12 else 1 end) * nd.mult,
      g.period_start, g.period_start + case g.grain when 'day' then interval '1 day' when 'hour' then interval '1 hour'
        else interval '5 minutes' end
    from (select 'node-' || n as node, 1 as mult from generate_series(1, ${nodes}) n union all select '', ${nodes}) nd
    cross join (
      select 'day' grain, ${new Date(DAY0).toISOString()}::timestamptz + d * interval '1 day' period_start, -1 h
      from generate_series(0, ${days - 1}) d
      union all
      select 'hour', ${new Date(DAY0).toISOString()}::timestamptz + d * interval '1 day' + h * interval '1 hour', h
      from generate_series(0, ${days - 1}) d cross join generate_series(0, 23) h
      union all
      select '5min', ${new Date(DAY0).toISOString()}::timestamptz + d * interval '1 day' + m * interval '5 minutes', m
      from generate_series(0, ${days - 1}) d cross join generate_series(0, ${SLOTS - 1}) m
    ) g
    where g.grain <> '5min' or nd.node = ''`);
  // columns: a node's rollup is the sum; the fleet's is `nodes` identical sums (counts × nodes, M2 × nodes)
  await db.execute(sql`insert into profile_rollup_columns
    select r.id, s.kind, s.col, s.keys,
      case when r.node_id = '' then array(select x * ${nodes} from unnest(s.counts) x) else s.counts end,
      case when r.node_id = '' and s.sums is not null then array(select x * ${nodes} from unnest(s.sums) x) else s.sums end,
      case when r.node_id = '' and s.labelled is not null then array(select x * ${nodes} from unnest(s.labelled) x) else s.labelled end,
      case when r.node_id = '' and s.positives is not null then array(select x * ${nodes} from unnest(s.positives) x) else s.positives end,
      s.missing * m.k, s.invalid * m.k, s.unseen * m.k, s.n * m.k, s.min, s.max, s.mean, s.m2 * m.k
    from profile_rollups r
    cross join lateral (select case when r.node_id = '' then ${nodes} else 1 end as k) m
    join bench_sums s on s.period = case r.grain when 'day' then 'd'
      when 'hour' then 'h' || extract(hour from r.period_start at time zone 'UTC')::int
      else 'm' || ((extract(epoch from r.period_start)::bigint % 86400) / 300) end`);
  await db.execute(sql`analyze`);
  const done = performance.now();
  const one = async <T>(query: ReturnType<typeof sql>): Promise<T> => (await rows<T>(db, query))[0]!;
  const { total } = await one<{ total: string }>(sql`select sum(rows)::text as total from profile_chunks`);
  const { size } = await one<{ size: string }>(
    sql`select pg_size_pretty(pg_database_size(current_database())) as size`,
  );
  return {
    chunks: nodes * days * SLOTS,
    predictions: Number(total),
    fill_chunks_s: +((chunksAt - t0) / 1000).toFixed(1),
    fill_rollups_s: +((done - chunksAt) / 1000).toFixed(1),
    database_size: size,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(database: Database, card: ModelCard, spec: ProfileSpec, days: number) {
  // 30 days ending 23 minutes before the last day's end: partial hours and 5-minute chunks at both edges
  const to = new Date(DAY0 + days * 86_400_000 - 23 * 60_000);
  const from = new Date(to.getTime() - days * 86_400_000);
  const cases: [string, string | null][] = [
    ['fleet', null],
    ['one_node', 'node-1'],
  ];
  const out: Record<string, unknown> = {};
  for (const [name, node] of cases) {
    const ms: number[] = [];
    let last: Awaited<ReturnType<typeof fleetReport>> | null = null;
    for (let i = 0; i < RUNS + 1; i++) {
      const t = performance.now();
      last = await fleetReport(database.db, card, spec, { model: VERSION, node, from, to });
      if (i > 0) ms.push(performance.now() - t); // the first run warms caches and the CBPE fit
    }
    // the part inside the database alone: the window summed in SQL into one profile
    const sqlMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await fleetProfile(database.db, spec, { version: VERSION, node, from, to });
      sqlMs.push(performance.now() - t);
    }
    out[name] = {
      median_ms: Math.round(median(ms)),
      sql_median_ms: Math.round(median(sqlMs)),
      runs_ms: ms.map(Math.round),
      rows: last!.rows,
      nodes: last!.nodes,
      drifted_columns: last!.drift?.number_of_drifted_columns,
      roc_auc_estimate: last!.estimated_performance?.roc_auc?.estimate ?? null,
    };
  }
  return { window: { from: from.toISOString(), to: to.toISOString() }, ...out };
}

async function bench(kind: 'postgres' | 'pglite', nodes: number) {
  const { card, spec } = syntheticCard();
  let database: Database;
  let drop: () => Promise<void>;
  if (kind === 'postgres') {
    const scratch = await createScratchDatabase(process.env.DATABASE_URL!, 'pmm_bench_fleet');
    database = await openDatabase({ url: scratch.url });
    drop = scratch.drop;
  } else {
    const root = await mkdtemp(path.join(tmpdir(), 'pmm-bench-fleet-'));
    database = await openDatabase({ dir: path.join(root, 'db') });
    drop = () => rm(root, { recursive: true, force: true });
  }
  try {
    await migrateDatabase(database);
    const filled = await fill(database, spec, nodes, DAYS);
    process.stderr.write(`${kind}: filled ${JSON.stringify(filled)}\n`);
    const timing = await time(database, card, spec, DAYS);
    return { store: kind, nodes, days: DAYS, chunk_minutes: 5, ...filled, ...timing };
  } finally {
    await database.close().catch(() => undefined);
    if (values.keep) process.stderr.write(`${kind}: kept ${database.location}\n`);
    else await drop();
  }
}

const results = [];
if (!values['skip-postgres']) {
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set (or pass --skip-postgres)');
  results.push(await bench('postgres', NODES));
}
if (!values['skip-pglite']) results.push(await bench('pglite', Number(values['pglite-nodes'] ?? NODES)));
process.stdout.write(`${JSON.stringify({ goal_ms: 1000, runs: RUNS, results }, null, 2)}\n`);
