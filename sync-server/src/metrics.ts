// Prometheus text exposition (format 0.0.4): in-process ingest counters plus gauges read from the database.
import type { MetricsSnapshot } from './db/ops';

export type IngestKind = 'predictions' | 'feedback';

/** Counters since the process started (Prometheus handles the reset on restart). */
export class IngestCounters {
  readonly accepted: Record<IngestKind, number> = { predictions: 0, feedback: 0 };
  readonly duplicates: Record<IngestKind, number> = { predictions: 0, feedback: 0 };
  readonly rejected: Record<IngestKind, number> = { predictions: 0, feedback: 0 };
  /** Rows whose id was stored with different content (the stored row was kept). */
  readonly conflicts: Record<IngestKind, number> = { predictions: 0, feedback: 0 };
  readonly requests: Record<IngestKind, number> = { predictions: 0, feedback: 0 };

  add(
    kind: IngestKind,
    result: { accepted: number; duplicates: number; rejected: number; conflicts?: number },
  ): void {
    this.requests[kind]++;
    this.accepted[kind] += result.accepted;
    this.duplicates[kind] += result.duplicates;
    this.rejected[kind] += result.rejected;
    this.conflicts[kind] += result.conflicts ?? 0;
  }
}

const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

const formatNumber = (n: number) =>
  Number.isNaN(n) ? 'NaN' : n === Infinity ? '+Inf' : n === -Infinity ? '-Inf' : String(n);

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'summary', help: string) {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, labels: Record<string, string>, value: number) {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    this.lines.push(`${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${formatNumber(value)}`);
    return this;
  }

  toString() {
    return `${this.lines.join('\n')}\n`;
  }
}

const RETRAIN_STATUSES = ['succeeded', 'failed'] as const;

export function renderMetrics(counters: IngestCounters, snapshot: MetricsSnapshot | null): string {
  const out = new Exposition();
  out.family('pmm_up', 'gauge', '1 when the database is open and migrated, 0 otherwise.');
  out.sample('pmm_up', {}, snapshot ? 1 : 0);

  const kinds: IngestKind[] = ['predictions', 'feedback'];
  out.family('pmm_ingest_requests_total', 'counter', 'Ingest requests that were processed, by kind.');
  for (const kind of kinds) out.sample('pmm_ingest_requests_total', { kind }, counters.requests[kind]);
  out.family(
    'pmm_ingest_rows_total',
    'counter',
    'Ingested rows stored as new (or, for feedback, changed), by kind.',
  );
  for (const kind of kinds) out.sample('pmm_ingest_rows_total', { kind }, counters.accepted[kind]);
  out.family('pmm_ingest_duplicates_total', 'counter', 'Ingested rows that were already stored, by kind.');
  for (const kind of kinds) out.sample('pmm_ingest_duplicates_total', { kind }, counters.duplicates[kind]);
  out.family('pmm_ingest_rejected_total', 'counter', 'Ingested rows refused by validation, by kind.');
  for (const kind of kinds) out.sample('pmm_ingest_rejected_total', { kind }, counters.rejected[kind]);
  out.family(
    'pmm_ingest_conflicts_total',
    'counter',
    'Ingested rows whose id was already stored with different content (the first was kept), by kind.',
  );
  for (const kind of kinds) out.sample('pmm_ingest_conflicts_total', { kind }, counters.conflicts[kind]);

  out.family('pmm_node_sync_lag_seconds', 'gauge', 'Seconds since each edge node last shipped logs.');
  for (const node of snapshot?.nodes ?? []) {
    if (node.lag_seconds !== null)
      out.sample('pmm_node_sync_lag_seconds', { node_id: node.node_id }, node.lag_seconds);
  }

  const runs = new Map((snapshot?.retrainRuns ?? []).map((r) => [r.status, r]));
  const statuses = [...new Set([...RETRAIN_STATUSES, ...runs.keys()])];
  out.family('pmm_retrain_runs_total', 'counter', 'Retraining runs, by status.');
  for (const status of statuses)
    out.sample('pmm_retrain_runs_total', { status }, runs.get(status)?.runs ?? 0);
  out.family('pmm_retrain_duration_seconds', 'summary', 'Duration of finished retraining runs.');
  let sum = 0;
  let count = 0;
  for (const r of runs.values()) {
    sum += r.duration_sum;
    count += r.duration_count;
  }
  out.sample('pmm_retrain_duration_seconds_sum', {}, sum);
  out.sample('pmm_retrain_duration_seconds_count', {}, count);

  out.family(
    'pmm_drift_share',
    'gauge',
    'Share of drifted features in the latest drift report of each model version.',
  );
  for (const d of snapshot?.driftShare ?? []) {
    out.sample('pmm_drift_share', { model_version: d.model_version }, d.drift_share);
  }

  out.family(
    'pmm_drift_reports_total',
    'counter',
    'Stored drift reports, by whether they showed dataset drift.',
  );
  for (const drift of [false, true]) {
    const found = snapshot?.driftReports?.find((r) => r.dataset_drift === drift);
    out.sample('pmm_drift_reports_total', { dataset_drift: String(drift) }, found?.reports ?? 0);
  }
  return out.toString();
}
