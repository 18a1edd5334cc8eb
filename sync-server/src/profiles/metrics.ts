// Counters of profile-chunk ingest since the process started, and their Prometheus lines (appended to /metrics).
import type { RefusalKind } from './ingest';

const REASONS: RefusalKind[] = ['invalid', 'unknown_version', 'layout_mismatch', 'conflict'];

export class ProfileCounters {
  requests = 0;
  accepted = 0;
  duplicates = 0;
  readonly refused: Record<RefusalKind, number> = {
    invalid: 0,
    unknown_version: 0,
    layout_mismatch: 0,
    conflict: 0,
  };

  add(result: { accepted: number; duplicates: number; refusedBy: Record<RefusalKind, number> }): void {
    this.requests++;
    this.accepted += result.accepted;
    this.duplicates += result.duplicates;
    for (const r of REASONS) this.refused[r] += result.refusedBy[r];
  }
}

export function renderProfileMetrics(counters: ProfileCounters): string {
  const lines = [
    '# HELP pmm_profile_chunks_total Profile chunks received, by outcome (refused: by reason).',
    '# TYPE pmm_profile_chunks_total counter',
    `pmm_profile_chunks_total{outcome="accepted"} ${counters.accepted}`,
    `pmm_profile_chunks_total{outcome="duplicate"} ${counters.duplicates}`,
    ...REASONS.map((r) => `pmm_profile_chunks_total{outcome="refused",reason="${r}"} ${counters.refused[r]}`),
    '# HELP pmm_profile_ingest_requests_total Profile ingest requests that were processed.',
    '# TYPE pmm_profile_ingest_requests_total counter',
    `pmm_profile_ingest_requests_total ${counters.requests}`,
  ];
  return `${lines.join('\n')}\n`;
}
