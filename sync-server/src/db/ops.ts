// Read-only queries behind /healthz and /metrics.
import { sql } from 'drizzle-orm';
import { type Executor, rows } from './client';

export interface Counts {
  readonly predictions: number;
  readonly feedback: number;
  readonly models: number;
  readonly nodes: number;
  readonly drift_reports: number;
}

export async function tableCounts(db: Executor): Promise<Counts> {
  const [row] = await rows<Record<keyof Counts, string | number>>(
    db,
    sql`select
      (select count(*) from predictions) as predictions,
      (select count(*) from feedback) as feedback,
      (select count(*) from models) as models,
      (select count(*) from nodes) as nodes,
      (select count(*) from drift_reports) as drift_reports`,
  );
  return {
    predictions: Number(row?.predictions ?? 0),
    feedback: Number(row?.feedback ?? 0),
    models: Number(row?.models ?? 0),
    nodes: Number(row?.nodes ?? 0),
    drift_reports: Number(row?.drift_reports ?? 0),
  };
}

export interface MetricsSnapshot {
  readonly nodes: { node_id: string; lag_seconds: number | null }[];
  readonly retrainRuns: { status: string; runs: number; duration_sum: number; duration_count: number }[];
  readonly driftShare: { model_version: string; drift_share: number }[];
  /** Stored drift reports, by whether they showed dataset drift. */
  readonly driftReports: { dataset_drift: boolean; reports: number }[];
}

export async function metricsSnapshot(db: Executor): Promise<MetricsSnapshot> {
  const [nodeRows, retrainRows, driftRows, reportRows] = await Promise.all([
    rows<{ node_id: string; lag_seconds: number | string | null }>(
      db,
      sql`select node_id, extract(epoch from (now() - last_contact_at))::float8 as lag_seconds
          from nodes order by node_id`,
    ),
    rows<{
      status: string;
      runs: string | number;
      duration_sum: number | null;
      duration_count: string | number;
    }>(
      db,
      sql`select status, count(*) as runs,
            coalesce(sum(extract(epoch from (finished_at - started_at))), 0)::float8 as duration_sum,
            count(finished_at) as duration_count
          from retrain_runs group by status order by status`,
    ),
    rows<{ model_version: string; drift_share: number }>(
      db,
      sql`select distinct on (model_version) model_version, drift_share
          from drift_reports order by model_version, created_at desc, id desc`,
    ),
    rows<{ dataset_drift: boolean; reports: string | number }>(
      db,
      sql`select dataset_drift, count(*) as reports from drift_reports group by dataset_drift`,
    ),
  ]);
  return {
    nodes: nodeRows.map((r) => ({
      node_id: r.node_id,
      lag_seconds: r.lag_seconds === null ? null : Math.max(0, Number(r.lag_seconds)),
    })),
    retrainRuns: retrainRows.map((r) => ({
      status: r.status,
      runs: Number(r.runs),
      duration_sum: Number(r.duration_sum ?? 0),
      duration_count: Number(r.duration_count),
    })),
    driftShare: driftRows.map((r) => ({
      model_version: r.model_version,
      drift_share: Number(r.drift_share),
    })),
    driftReports: reportRows.map((r) => ({ dataset_drift: r.dataset_drift, reports: Number(r.reports) })),
  };
}
