// The drift report as a plain-text table for a terminal: summary line, then columns with drifted ones first.
import type { ColumnDriftResult, DriftReport } from './report';

/** Names shown in the summary; the report itself does not carry file names or times. */
export interface RenderContext {
  readonly reference?: string;
  readonly current?: string;
  /** When the report was made, e.g. an ISO timestamp; the caller supplies it. */
  readonly generatedAt?: string;
  readonly title?: string;
}

/** A score for people: 4 decimals, scientific below 0.0001, "—" when the column was not tested. */
export function formatScore(score: number | null | undefined): string {
  if (score === null || score === undefined) return '—';
  if (score === 0) return '0';
  const abs = Math.abs(score);
  if (abs < 1e-4 || abs >= 1e6) return score.toExponential(2);
  return score.toFixed(4);
}

/** A threshold as given: up to 4 significant digits, no trailing zeros. */
export function formatThreshold(threshold: number): string {
  return String(Number(threshold.toPrecision(4)));
}

export function formatPercent(share: number): string {
  const p = share * 100;
  if (p === 0) return '0%';
  if (p < 0.1) return '<0.1%';
  return `${p.toFixed(p < 10 ? 1 : 0)}%`;
}

/**
 * How far past its threshold a column is: > 1 means drifted. For a test, threshold / p-value; for a
 * distance, distance / threshold. Untested columns rank last.
 */
export function driftSeverity(column: ColumnDriftResult): number {
  const score = column.score_adjusted ?? column.score;
  if (score === null || !column.tested) return Number.NEGATIVE_INFINITY;
  if (column.method_kind === 'test') return score > 0 ? column.threshold / score : Number.POSITIVE_INFINITY;
  return score / column.threshold;
}

/** Columns ordered for reading: drifted first, then by severity, untested last; ties keep report order. */
export function columnsByDrift(report: DriftReport): ColumnDriftResult[] {
  return report.columns
    .map((c, i) => ({ c, i }))
    .sort(
      (a, b) =>
        Number(b.c.drifted) - Number(a.c.drifted) ||
        Number(b.c.tested) - Number(a.c.tested) ||
        (driftSeverity(b.c) > driftSeverity(a.c) ? 1 : driftSeverity(b.c) < driftSeverity(a.c) ? -1 : 0) ||
        a.i - b.i,
    )
    .map(({ c }) => c);
}

/** One sentence summarising the verdict. */
export function summaryLine(report: DriftReport): string {
  const verdict = report.dataset_drift ? 'DATASET DRIFT' : 'no dataset drift';
  return (
    `${verdict}: ${report.number_of_drifted_columns} of ${report.number_of_tested_columns} tested columns drifted ` +
    `(${formatPercent(report.drift_share)}; the data set drifts at ${formatPercent(report.options.drift_share)})`
  );
}

function pad(text: string, width: number, right = false): string {
  const gap = ' '.repeat(Math.max(0, width - [...text].length));
  return right ? gap + text : text + gap;
}

/** Renders the report as a table a person reads in a terminal (no colour codes, ends with a newline). */
export function renderDriftText(report: DriftReport, context: RenderContext = {}): string {
  const bh = report.options.correction === 'bh';
  const lines: string[] = [];
  if (context.title) lines.push(context.title);
  const ref = context.reference ? `${context.reference}, ` : '';
  const cur = context.current ? `${context.current}, ` : '';
  lines.push(`Reference: ${ref}${report.reference_rows} rows   Current: ${cur}${report.current_rows} rows`);
  if (context.generatedAt) lines.push(`Generated: ${context.generatedAt}`);
  lines.push(summaryLine(report));
  if (bh) lines.push('p-values adjusted by Benjamini-Hochberg (the verdict uses the adjusted p-value)');
  lines.push('');
  const header = ['column', 'type', 'method', bh ? 'score (adj.)' : 'score', 'threshold', 'drift', 'missing'];
  const rows = columnsByDrift(report).map((c) => [
    c.column,
    c.type,
    c.method,
    bh && c.score_adjusted !== undefined
      ? `${formatScore(c.score)} (${formatScore(c.score_adjusted)})`
      : formatScore(c.score),
    formatThreshold(c.threshold),
    c.tested ? (c.drifted ? 'DRIFT' : 'ok') : 'not tested',
    formatPercent(c.missing_share),
  ]);
  const numeric = [false, false, false, true, true, false, true];
  const widths = header.map((h, j) => Math.max([...h].length, ...rows.map((r) => [...r[j]!].length)));
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, j) => pad(cell, widths[j]!, numeric[j]))
      .join('  ')
      .trimEnd();
  lines.push(format(header));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) lines.push(format(row));
  const untested = report.columns.filter((c) => !c.tested);
  if (untested.length > 0) {
    lines.push('');
    for (const c of untested) lines.push(`not tested: ${c.column}: ${c.not_tested_reason ?? 'no score'}`);
  }
  const excluded = report.excluded_columns ?? [];
  if (excluded.length > 0) {
    lines.push('');
    for (const c of excluded) lines.push(`left out: ${c.column}: ${c.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
