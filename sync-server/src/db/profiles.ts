// Profile chunks in SQL: store a chunk and add it into its five rollups (node and fleet × hour and day, and the
// fleet's 5 minutes), and sum any window of them inside PostgreSQL (design: migrations/0007_profiles.sql and
// 0008_fleet-5min.sql).

import type { SparseProfile, SummedColumn } from '@pmm/core/profile';
import { type SQL, sql } from 'drizzle-orm';
import { type Executor, rows } from './client';

const FIVE_MINUTES = 300_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The rollup (node or fleet) a window or chunk is summed at. Node '' stands for every node. */
export const FLEET = '';

export interface ChunkToStore {
  readonly chunkId: string;
  readonly nodeId: string;
  readonly modelVersion: string;
  readonly layoutHash: string;
  readonly start: Date;
  readonly end: Date;
  readonly rows: number;
  readonly contentSha256: string;
  readonly profile: SparseProfile;
}

export type StoreOutcome = 'accepted' | 'duplicate' | 'conflict';

const iso = (d: Date) => d.toISOString();
const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit;

/**
 * Merges an incoming column row (`excluded`) into a stored rollup column: bins add by key, counts add,
 * min/max widen, mean and M2 by Chan et al.'s parallel formula (right-hand sides read the stored row).
 */
const MERGE_COLUMN = sql.raw(`
  (keys, counts, sums, labelled, positives) = (
    select coalesce(array_agg(k), '{}'), coalesce(array_agg(c), '{}'),
      case when excluded.sums is null then null else array_agg(s) end,
      case when excluded.labelled is null then null else array_agg(l) end,
      case when excluded.positives is null then null else array_agg(q) end
    from (
      select k, sum(c)::bigint as c, sum(s) as s, sum(l)::bigint as l, sum(q)::bigint as q
      from unnest(profile_rollup_columns.keys || excluded.keys, profile_rollup_columns.counts || excluded.counts,
        profile_rollup_columns.sums || excluded.sums, profile_rollup_columns.labelled || excluded.labelled,
        profile_rollup_columns.positives || excluded.positives) as u(k, c, s, l, q)
      group by k
    ) merged
  ),
  missing = profile_rollup_columns.missing + excluded.missing,
  invalid = profile_rollup_columns.invalid + excluded.invalid,
  unseen = profile_rollup_columns.unseen + excluded.unseen,
  n = profile_rollup_columns.n + excluded.n,
  min = least(profile_rollup_columns.min, excluded.min),
  max = greatest(profile_rollup_columns.max, excluded.max),
  mean = case when profile_rollup_columns.n + excluded.n = 0 then 0
    else profile_rollup_columns.mean + (excluded.mean - profile_rollup_columns.mean)
      * excluded.n::float8 / (profile_rollup_columns.n + excluded.n)::float8 end,
  m2 = case when profile_rollup_columns.n + excluded.n = 0 then 0
    else profile_rollup_columns.m2 + excluded.m2 + (excluded.mean - profile_rollup_columns.mean) ^ 2
      * profile_rollup_columns.n::float8 * excluded.n::float8 / (profile_rollup_columns.n + excluded.n)::float8 end`);

/**
 * Stores one chunk (call inside a transaction): new → inserted and added into its rollups; the same id with
 * the same content → duplicate; with other content → conflict (the stored chunk is kept).
 */
export async function storeChunk(db: Executor, c: ChunkToStore): Promise<StoreOutcome> {
  const inserted = await rows<{ chunk_id: string }>(
    db,
    sql`insert into profile_chunks (chunk_id, node_id, model_version, layout_hash, start_at, end_at, rows, content_sha256, profile)
        values (${c.chunkId}, ${c.nodeId}, ${c.modelVersion}, ${c.layoutHash}, ${iso(c.start)}::timestamptz,
          ${iso(c.end)}::timestamptz, ${c.rows}, ${c.contentSha256}, ${JSON.stringify(c.profile)}::jsonb)
        on conflict (chunk_id) do nothing returning chunk_id`,
  );
  if (inserted.length === 0) {
    const [stored] = await rows<{ content_sha256: string }>(
      db,
      sql`select content_sha256 from profile_chunks where chunk_id = ${c.chunkId}`,
    );
    return stored?.content_sha256 === c.contentSha256 ? 'duplicate' : 'conflict';
  }
  await db.execute(sql`insert into profile_chunk_columns
    select c.chunk_id, p.* from profile_chunks c cross join lateral pmm_profile_parts(c.profile) p
    where c.chunk_id = ${c.chunkId}`);
  const t = c.start.getTime();
  const fiveMinutes = iso(new Date(floorTo(t, FIVE_MINUTES)));
  const hour = iso(new Date(floorTo(t, HOUR)));
  const day = iso(new Date(floorTo(t, DAY)));
  const rollup = (grain: string, node: string, period: string) =>
    sql`(${grain}, ${node}, ${c.modelVersion}, ${period}::timestamptz, ${c.rows}, 1, ${iso(c.start)}::timestamptz, ${iso(c.end)}::timestamptz)`;
  await db.execute(sql`
    with r as (
      insert into profile_rollups (grain, node_id, model_version, period_start, rows, chunks, first_at, last_at)
      values ${sql.join(
        [
          rollup('hour', c.nodeId, hour),
          rollup('day', c.nodeId, day),
          rollup('hour', FLEET, hour),
          rollup('day', FLEET, day),
          rollup('5min', FLEET, fiveMinutes),
        ],
        sql`, `,
      )}
      on conflict (model_version, node_id, grain, period_start) do update set
        rows = profile_rollups.rows + excluded.rows, chunks = profile_rollups.chunks + 1,
        first_at = least(profile_rollups.first_at, excluded.first_at),
        last_at = greatest(profile_rollups.last_at, excluded.last_at)
      returning id
    )
    insert into profile_rollup_columns (rollup_id, kind, col, keys, counts, sums, labelled, positives,
      missing, invalid, unseen, n, min, max, mean, m2)
    select r.id, p.kind, p.col, p.keys, p.counts, p.sums, p.labelled, p.positives, p.missing, p.invalid,
      p.unseen, p.n, p.min, p.max, p.mean, p.m2
    from r cross join profile_chunk_columns p where p.chunk_id = ${c.chunkId}
    on conflict (rollup_id, kind, col) do update set ${MERGE_COLUMN}`);
  return 'accepted';
}

/** A rollup grain and its period, coarsest last. */
type Grain = '5min' | 'hour' | 'day';
const UNIT: Record<Grain, number> = { '5min': FIVE_MINUTES, hour: HOUR, day: DAY };

/** The periods [a, b) of one grain a window reads from its rollups (a = b when none). */
export interface GrainRange {
  readonly grain: Grain;
  readonly a: Date;
  readonly b: Date;
}

/**
 * A window [from, to) cut into nested ranges, finest first: chunks outside the first grain's range, then each
 * grain's whole periods outside the next one's range, then the coarsest grain's range whole. The fleet reads
 * 5 minutes, hours and days (only the fleet has 5-minute rollups); one node hours and days.
 */
export interface WindowCut {
  readonly from: Date;
  readonly to: Date;
  readonly grains: readonly GrainRange[];
}

export function cutWindow(from: Date, to: Date, fleet = true): WindowCut {
  const grains: GrainRange[] = [];
  let a = from.getTime();
  let b = to.getTime();
  for (const grain of (fleet ? ['5min', 'hour', 'day'] : ['hour', 'day']) as Grain[]) {
    const inner = [ceilTo(a, UNIT[grain]), floorTo(b, UNIT[grain])] as const;
    // no whole period: an empty range at the end of the enclosing one (every finer level keeps its part)
    [a, b] = inner[0] < inner[1] ? inner : [b, b];
    grains.push({ grain, a: new Date(a), b: new Date(b) });
  }
  return { from, to, grains };
}

export interface WindowQuery {
  readonly version: string;
  /** One node, or null for the fleet. */
  readonly node: string | null;
  readonly from: Date;
  readonly to: Date;
}

const between = (column: SQL, a: Date, b: Date) =>
  sql`(${column} >= ${iso(a)}::timestamptz and ${column} < ${iso(b)}::timestamptz)`;

/** The rollups a cut reads: each grain's range less the next grain's, the coarsest whole. */
function rollupRanges(alias: string, cut: WindowCut): SQL {
  const r = sql.raw(alias);
  const start = sql`${r}.period_start`;
  return sql.join(
    cut.grains.map((g, i) => {
      const next = cut.grains[i + 1];
      const span = next
        ? sql`(${between(start, g.a, next.a)} or ${between(start, next.b, g.b)})`
        : between(start, g.a, g.b);
      return sql`(${r}.grain = ${g.grain} and ${span})`;
    }),
    sql` or `,
  );
}

/** The chunks a cut reads: those starting in the window outside its finest grain's range. */
function chunkWhere(alias: string, w: WindowQuery, cut: WindowCut): SQL {
  const { from, to, grains } = cut;
  const c = sql.raw(alias);
  const node = w.node === null ? sql`` : sql` and ${c}.node_id = ${w.node}`;
  const start = sql`${c}.start_at`;
  return sql`${c}.model_version = ${w.version}${node} and (${between(start, from, grains[0]!.a)}
    or ${between(start, grains[0]!.b, to)})`;
}

export interface WindowSum {
  readonly columns: SummedColumn[];
  readonly rows: number;
  readonly nodes: number;
  readonly first: string | null;
  readonly last: string | null;
}

/** Sums a version's profile chunks of a window (fleet or one node) in SQL: one summed row per column comes back. */
export async function sumWindow(db: Executor, w: WindowQuery): Promise<WindowSum> {
  const key = w.node ?? FLEET;
  const cut = cutWindow(w.from, w.to, w.node === null);
  // nodes are counted from the node rollups, which have no 5-minute grain
  const nodeCut = w.node === null ? cutWindow(w.from, w.to, false) : cut;
  const rollupWhere = sql`r.model_version = ${w.version} and r.node_id = ${key} and (${rollupRanges('r', cut)})`;
  const summed = await rows<{ j: string }>(
    db,
    sql`with parts as (
      select rc.kind, rc.col, rc.keys, rc.counts, rc.sums, rc.labelled, rc.positives, rc.missing, rc.invalid,
        rc.unseen, rc.n, rc.min, rc.max, rc.mean, rc.m2
      from profile_rollups r join profile_rollup_columns rc on rc.rollup_id = r.id where ${rollupWhere}
      union all
      select p.kind, p.col, p.keys, p.counts, p.sums, p.labelled, p.positives, p.missing, p.invalid, p.unseen,
        p.n, p.min, p.max, p.mean, p.m2
      from profile_chunks c join profile_chunk_columns p on p.chunk_id = c.chunk_id where ${chunkWhere('c', w, cut)}
    ), scalars as (
      select kind, col, sum(missing) as missing, sum(invalid) as invalid, sum(unseen) as unseen, sum(n) as n,
        min(min) as min, max(max) as max,
        case when sum(n) = 0 then 0 else sum(n * mean) / sum(n)::float8 end as mean
      from parts group by kind, col
    ), m2 as (
      select p.kind, p.col, coalesce(sum(p.m2 + p.n * (p.mean - s.mean) ^ 2) filter (where p.n > 0), 0) as m2
      from parts p join scalars s on s.kind = p.kind and s.col = p.col group by p.kind, p.col
    ), bins as (
      select kind, col, k, sum(c) as c, sum(s) as s, sum(l) as l, sum(q) as q
      from parts cross join lateral unnest(keys, counts, sums, labelled, positives) as u(k, c, s, l, q)
      group by kind, col, k
    ), arrays as (
      select kind, col, json_agg(k) as keys, json_agg(c) as counts, json_agg(s) as sums, json_agg(l) as labelled,
        json_agg(q) as positives
      from bins group by kind, col
    )
    select json_build_object('kind', s.kind, 'col', s.col, 'keys', coalesce(a.keys, '[]'),
      'counts', coalesce(a.counts, '[]'), 'sums', a.sums, 'labelled', a.labelled, 'positives', a.positives,
      'missing', s.missing, 'invalid', s.invalid, 'unseen', s.unseen, 'n', s.n, 'min', s.min, 'max', s.max,
      'mean', s.mean, 'm2', m.m2)::text as j
    from scalars s join m2 m on m.kind = s.kind and m.col = s.col left join arrays a on a.kind = s.kind and a.col = s.col`,
  );
  const [meta] = await rows<{ rows: string; nodes: number; first: string | null; last: string | null }>(
    db,
    sql`with r as (
      select r.rows, r.first_at, r.last_at from profile_rollups r where ${rollupWhere}
      union all
      select c.rows, c.start_at, c.end_at from profile_chunks c where ${chunkWhere('c', w, cut)}
    ), n as (
      select r.node_id from profile_rollups r
      where r.model_version = ${w.version} and r.node_id <> ${FLEET}
        ${w.node === null ? sql`` : sql`and r.node_id = ${w.node}`} and (${rollupRanges('r', nodeCut)})
      union
      select c.node_id from profile_chunks c where ${chunkWhere('c', w, nodeCut)}
    )
    select coalesce(sum(rows), 0)::text as rows, (select count(*)::int from n) as nodes,
      to_char(min(first_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as first,
      to_char(max(last_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last
    from r`,
  );
  const columns = summed.map((r) => {
    const j = JSON.parse(r.j) as Record<string, unknown>;
    const nums = (v: unknown) => (v === null || v === undefined ? null : (v as unknown[]).map(Number));
    return {
      kind: j.kind,
      col: j.col,
      keys: (j.keys as unknown[]).map(String),
      counts: nums(j.counts)!,
      sums: nums(j.sums),
      labelled: nums(j.labelled),
      positives: nums(j.positives),
      missing: Number(j.missing),
      invalid: Number(j.invalid),
      unseen: Number(j.unseen),
      n: Number(j.n),
      min: j.min === null ? null : Number(j.min),
      max: j.max === null ? null : Number(j.max),
      mean: Number(j.mean),
      m2: Number(j.m2),
    } as SummedColumn;
  });
  return {
    columns,
    rows: Number(meta?.rows ?? 0),
    nodes: Number(meta?.nodes ?? 0),
    first: meta?.first ?? null,
    last: meta?.last ?? null,
  };
}
