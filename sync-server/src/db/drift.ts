// Drift reports: the logged features of a window of predictions, and the stored reports.
import { sql } from 'drizzle-orm';
import { type Executor, rows } from './client';

export interface DriftWindow {
  /** The newest N predictions (by created_at) within the range. */
  readonly last_n: number;
  /** Inclusive lower bound on created_at (ISO 8601). */
  readonly from?: string;
  /** Exclusive upper bound on created_at (ISO 8601). */
  readonly to?: string;
}

export interface WindowRows {
  readonly features: Record<string, string | number | null>[];
  readonly first_created_at: string | null;
  readonly last_created_at: string | null;
  /** The highest seq among the rows (a decimal string), so the scheduler can tell when new rows arrived. */
  readonly max_seq: string | null;
}

const iso = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

export async function windowFeatures(
  db: Executor,
  modelVersion: string,
  window: DriftWindow,
  nodeId: string | null,
): Promise<WindowRows> {
  const found = await rows<{
    features: Record<string, string | number | null> | string;
    created_at: string;
    seq: string;
  }>(
    db,
    sql`select features, ${iso('created_at')} as created_at, seq::text as seq
        from predictions
        where model_version = ${modelVersion}
          and jsonb_typeof(features) = 'object'
          ${nodeId === null ? sql`` : sql`and node_id = ${nodeId}`}
          ${window.from === undefined ? sql`` : sql`and created_at >= ${window.from}::timestamptz`}
          ${window.to === undefined ? sql`` : sql`and created_at < ${window.to}::timestamptz`}
        order by created_at desc, prediction_id desc
        limit ${window.last_n}`,
  );
  let maxSeq: bigint | null = null;
  for (const r of found) {
    const seq = BigInt(r.seq);
    if (maxSeq === null || seq > maxSeq) maxSeq = seq;
  }
  return {
    features: found.map((r) => (typeof r.features === 'string' ? JSON.parse(r.features) : r.features)),
    first_created_at: found.at(-1)?.created_at ?? null,
    last_created_at: found[0]?.created_at ?? null,
    max_seq: maxSeq === null ? null : String(maxSeq),
  };
}

/** How many predictions a version has (counting stops at `cap`) and the highest seq among them. */
export async function predictionStats(
  db: Executor,
  modelVersion: string,
  cap: number,
): Promise<{ rows: number; max_seq: string | null }> {
  const [row] = await rows<{ n: string | number; max_seq: string | null }>(
    db,
    sql`select (select count(*) from (select 1 from predictions where model_version = ${modelVersion} limit ${cap}) c) as n,
               (select max(seq)::text from predictions where model_version = ${modelVersion}) as max_seq`,
  );
  return { rows: Number(row?.n ?? 0), max_seq: row?.max_seq ?? null };
}

export interface StoredDriftReport {
  readonly id: string;
  /** The model name of `model_version`. */
  readonly model_name: string;
  readonly model_version: string;
  readonly node_id: string | null;
  readonly window: Record<string, unknown>;
  readonly dataset_drift: boolean;
  readonly drift_share: number;
  readonly created_at: string;
  readonly report: Record<string, unknown>;
}

type ReportRow = Omit<StoredDriftReport, 'window' | 'report'> & {
  window: Record<string, unknown> | string;
  report: Record<string, unknown> | string;
};

const json = (v: Record<string, unknown> | string) =>
  (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;

const toReport = (r: ReportRow): StoredDriftReport => ({
  id: r.id,
  model_name: r.model_name,
  model_version: r.model_version,
  node_id: r.node_id,
  window: json(r.window),
  dataset_drift: r.dataset_drift,
  drift_share: Number(r.drift_share),
  created_at: r.created_at,
  report: json(r.report),
});

const columns = sql`id::text as id, model_name, model_version, node_id, "window", dataset_drift, drift_share,
  ${iso('created_at')} as created_at`;

/** The report without the per-column distributions (what lists return unless asked for everything). */
const slimReport = sql`case when jsonb_typeof(report->'columns') = 'array'
  then jsonb_set(report, '{columns}', coalesce(
    (select jsonb_agg(c - 'distribution' order by o) from jsonb_array_elements(report->'columns') with ordinality as e(c, o)),
    '[]'::jsonb))
  else report end`;

export async function insertDriftReport(
  db: Executor,
  values: {
    modelName: string;
    modelVersion: string;
    nodeId: string | null;
    window: Record<string, unknown>;
    report: Record<string, unknown>;
    datasetDrift: boolean;
    driftShare: number;
  },
): Promise<StoredDriftReport> {
  const [row] = await rows<ReportRow>(
    db,
    sql`insert into drift_reports (model_name, model_version, node_id, "window", report, dataset_drift, drift_share)
        values (${values.modelName}, ${values.modelVersion}, ${values.nodeId}, ${JSON.stringify(values.window)}::jsonb,
                ${JSON.stringify(values.report)}::jsonb, ${values.datasetDrift}, ${values.driftShare})
        returning ${columns}, report`,
  );
  return toReport(row!);
}

export async function listDriftReports(
  db: Executor,
  options: { modelName?: string; modelVersion?: string; limit: number; full: boolean },
): Promise<StoredDriftReport[]> {
  const filters = [
    ...(options.modelName === undefined ? [] : [sql`model_name = ${options.modelName}`]),
    ...(options.modelVersion === undefined ? [] : [sql`model_version = ${options.modelVersion}`]),
  ];
  const found = await rows<ReportRow>(
    db,
    sql`select ${columns}, ${options.full ? sql`report` : slimReport} as report
        from drift_reports
        ${filters.length === 0 ? sql`` : sql`where ${sql.join(filters, sql` and `)}`}
        order by created_at desc, id desc
        limit ${options.limit}`,
  );
  return found.map(toReport);
}

export async function getDriftReport(db: Executor, id: string): Promise<StoredDriftReport | null> {
  const [row] = await rows<ReportRow>(
    db,
    sql`select ${columns}, report from drift_reports where id = ${id}::int8`,
  );
  return row ? toReport(row) : null;
}

/**
 * The newest report the scheduler made for a version (its window records `trigger: 'schedule'`) and the
 * version's highest prediction seq when it ran (`seen_seq`).
 */
export async function lastScheduledReport(
  db: Executor,
  modelVersion: string,
): Promise<{ id: string; seen_seq: string | null } | null> {
  const [row] = await rows<{ id: string; seen_seq: string | null }>(
    db,
    sql`select id::text as id, "window"->>'seen_seq' as seen_seq from drift_reports
        where model_version = ${modelVersion} and "window"->>'trigger' = 'schedule'
        order by created_at desc, id desc limit 1`,
  );
  return row ?? null;
}
