// The multivariate drift result as JSON-ready data, as text, and as one self-contained HTML page (inline CSS and
// SVG, no scripts, no external requests), in the style of the drift and estimate reports.

import { escapeHtml } from '../drift/render-html';
import type { ColumnKind } from './fit-reconstruction';
import type { ReconstructionChunk, ReconstructionDrift } from './reconstruction-drift';

export interface MultivariateReport {
  /** Principal components kept. */
  readonly components: number;
  /** Their cumulative explained variance ratio on the reference. */
  readonly explained_variance: number;
  readonly columns: readonly { readonly name: string; readonly kind: ColumnKind }[];
  readonly reference_chunks: readonly ReconstructionChunk[];
  readonly chunks: readonly ReconstructionChunk[];
}

export interface MultivariateRenderContext {
  readonly reference?: string;
  readonly analysis?: string;
  readonly generatedAt?: string;
}

/** One line on what an alert means, for reports and the app. */
export const ALERT_MEANING =
  'An alert means the rows no longer fit the structure PCA learned from the reference: when no single column drifts, the relations between columns have changed.';

export function multivariateReport(
  drift: ReconstructionDrift,
  chunks: readonly ReconstructionChunk[],
): MultivariateReport {
  const k = drift.model.pca.components.length;
  let explained = 0;
  for (let i = 0; i < k; i++) explained += drift.model.pca.explained_variance_ratio[i]!;
  return {
    components: k,
    explained_variance: explained,
    columns: drift.model.columns.map((c) => ({ name: c.name, kind: c.kind })),
    reference_chunks: drift.reference_chunks,
    chunks,
  };
}

function chunkJson(c: ReconstructionChunk) {
  return {
    key: c.key,
    start: c.start_index,
    end: c.end_index,
    ...(c.start_date !== undefined ? { start_date: c.start_date, end_date: c.end_date } : {}),
    rows: c.rows,
    value: c.value,
    sampling_error: c.sampling_error,
    upper_confidence_bound: c.upper_confidence_bound,
    lower_confidence_bound: c.lower_confidence_bound,
    upper_threshold: c.upper_threshold,
    lower_threshold: c.lower_threshold,
    alert: c.alert,
  };
}

/** JSON text: `{components, explained_variance, columns, reference_chunks, chunks}`; NaN becomes null. */
export function multivariateJson(report: MultivariateReport): string {
  const out = {
    components: report.components,
    explained_variance: report.explained_variance,
    columns: report.columns,
    reference_chunks: report.reference_chunks.map(chunkJson),
    chunks: report.chunks.map(chunkJson),
  };
  return `${JSON.stringify(out, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

const fmt = (x: number | null): string => (x !== null && Number.isFinite(x) ? x.toFixed(4) : '—');

const alertCount = (chunks: readonly ReconstructionChunk[]) => chunks.filter((c) => c.alert).length;

/** A plain-text table: chunk, rows, reconstruction error ± 3 SE, thresholds, alert. */
export function renderMultivariateText(
  report: MultivariateReport,
  context: MultivariateRenderContext = {},
): string {
  const first = report.chunks[0] ?? report.reference_chunks[0];
  const lines = [
    `Multivariate drift (PCA reconstruction error)${context.analysis ? ` of ${context.analysis}` : ''}${context.reference ? ` against ${context.reference}` : ''}`,
    `${report.columns.length} column(s), ${report.components} component(s) explaining ${(report.explained_variance * 100).toFixed(1)}% of the reference's variance`,
    `thresholds ${fmt(first?.lower_threshold ?? null)} – ${fmt(first?.upper_threshold ?? null)}; ${report.chunks.length} analysis chunk(s), ${alertCount(report.chunks)} alert(s)`,
    '',
    '  chunk                         rows  error    ±3 SE    alert',
  ];
  for (const c of report.chunks)
    lines.push(
      `  ${c.key.padEnd(28).slice(0, 28)} ${String(c.rows).padStart(5)}  ${fmt(c.value).padStart(7)}  ${fmt(3 * c.sampling_error).padStart(7)}  ${c.alert ? 'ALERT' : ''}`,
    );
  if (alertCount(report.chunks) > 0) lines.push('', ALERT_MEANING);
  return `${lines.join('\n')}\n`;
}

const n2 = (x: number): string => (Math.round(x * 100) / 100).toString();
const LINE = '#4c72b0';
const THRESH = '#c44e52';

/** Reconstruction error over reference then analysis chunks: ±3 SE band, thresholds dashed, alerts in red. */
export function reconstructionSvg(
  reference: readonly ReconstructionChunk[],
  analysis: readonly ReconstructionChunk[],
): string {
  const all = [...reference, ...analysis];
  const width = 960;
  const height = 260;
  const left = 52;
  const right = 16;
  const top = 14;
  const bottom = 30;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const t = all[0];
  const finite = all
    .flatMap((c) => [c.value, c.upper_confidence_bound, c.lower_confidence_bound])
    .concat(t ? [t.lower_threshold ?? Number.NaN, t.upper_threshold ?? Number.NaN] : [])
    .filter(Number.isFinite);
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi - lo < 1e-6) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = (hi - lo) * 0.08;
  lo = Math.max(0, lo - pad);
  hi += pad;
  const count = all.length;
  const x = (i: number) => left + (count <= 1 ? plotW / 2 : (i * plotW) / (count - 1));
  const y = (v: number) => top + plotH - ((v - lo) / (hi - lo || 1)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="reconstruction error over chunks">`,
  ];
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${n2(y(v))}" y2="${n2(y(v))}" class="grid"/><text x="${left - 6}" y="${n2(y(v) + 4)}" class="ytick">${v.toFixed(3)}</text>`,
    );
  }
  if (reference.length > 0 && analysis.length > 0) {
    const xs = (x(reference.length - 1) + x(reference.length)) / 2;
    parts.push(`<line x1="${n2(xs)}" x2="${n2(xs)}" y1="${top}" y2="${top + plotH}" class="split"/>`);
    parts.push(`<text x="${n2(xs - 6)}" y="${top + 12}" class="xtick" text-anchor="end">reference</text>`);
    parts.push(`<text x="${n2(xs + 6)}" y="${top + 12}" class="xtick" text-anchor="start">analysis</text>`);
  }
  const band = all
    .map((c, i) => [i, c.upper_confidence_bound, c.lower_confidence_bound] as const)
    .filter(([, u, l]) => Number.isFinite(u) && Number.isFinite(l));
  if (band.length > 1) {
    const pts = [
      ...band.map(([i, u]) => [i, u] as const),
      ...[...band].reverse().map(([i, , l]) => [i, l] as const),
    ]
      .map(([i, v]) => `${n2(x(i))},${n2(y(v))}`)
      .join(' ');
    parts.push(`<polygon points="${pts}" fill="${LINE}" fill-opacity="0.15"/>`);
  }
  if (t)
    for (const v of [t.lower_threshold, t.upper_threshold])
      if (v !== null && Number.isFinite(v) && v >= lo && v <= hi)
        parts.push(
          `<line x1="${left}" x2="${width - right}" y1="${n2(y(v))}" y2="${n2(y(v))}" stroke="${THRESH}" stroke-dasharray="6 4"/>`,
        );
  let d = '';
  let pen = false;
  all.forEach((c, i) => {
    if (!Number.isFinite(c.value)) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${n2(x(i))} ${n2(y(c.value))} `;
    pen = true;
  });
  parts.push(`<path d="${d.trim()}" fill="none" stroke="${LINE}" stroke-width="2"/>`);
  all.forEach((c, i) => {
    if (!Number.isFinite(c.value)) return;
    parts.push(
      `<circle cx="${n2(x(i))}" cy="${n2(y(c.value))}" r="${c.alert ? 5 : 3}" fill="${c.alert ? THRESH : LINE}"><title>${escapeHtml(`${c.key}: ${fmt(c.value)} ± ${fmt(3 * c.sampling_error)}${c.alert ? ', ALERT' : ''}`)}</title></circle>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The whole report as one HTML page; its size grows with chunks, never with rows. */
export function renderMultivariateHtml(
  report: MultivariateReport,
  context: MultivariateRenderContext = {},
): string {
  const alerts = alertCount(report.chunks);
  const first = report.chunks[0] ?? report.reference_chunks[0];
  const rows = report.chunks
    .map(
      (c) =>
        `<tr${c.alert ? ' class="alert"' : ''}><td>${escapeHtml(c.key)}</td><td class="num">${c.rows}</td><td class="num">${fmt(c.value)}</td><td class="num">${fmt(c.lower_confidence_bound)} – ${fmt(c.upper_confidence_bound)}</td><td>${c.alert ? 'alert' : ''}</td></tr>`,
    )
    .join('');
  const title = `Multivariate drift${context.analysis ? ` — ${context.analysis}` : ''}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}
svg{width:100%;max-width:960px;height:auto;display:block}.grid{stroke:#eee}.split{stroke:#999;stroke-dasharray:2 3}
.ytick{font-size:11px;text-anchor:end;fill:#555}.xtick{font-size:11px;fill:#555}
table{border-collapse:collapse;margin-top:8px}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}.num{text-align:right;font-variant-numeric:tabular-nums}
tr.alert td{background:#fbe9e9}.legend span{display:inline-block;margin-right:16px}.sw{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:4px}
</style></head><body><h1>${escapeHtml(title)}</h1>
<p>${context.reference ? `Reference: ${escapeHtml(context.reference)}. ` : ''}PCA reconstruction error (NannyML's data reconstruction method) over ${report.columns.length} column(s); ${report.components} component(s) keep ${(report.explained_variance * 100).toFixed(1)}% of the reference's variance. Thresholds ${fmt(first?.lower_threshold ?? null)} – ${fmt(first?.upper_threshold ?? null)}. ${report.chunks.length} analysis chunk(s), ${alerts} alert(s).${context.generatedAt ? ` Generated ${escapeHtml(context.generatedAt)}.` : ''}</p>
<p>${escapeHtml(ALERT_MEANING)}</p>
<p class="legend"><span><i class="sw" style="background:${LINE}"></i>reconstruction error (band ±3 SE)</span><span><i class="sw" style="background:${THRESH}"></i>thresholds (reference mean ± 3 std)</span></p>
${reconstructionSvg(report.reference_chunks, report.chunks)}
<table><thead><tr><th>chunk</th><th>rows</th><th>error</th><th>band (±3 SE)</th><th></th></tr></thead><tbody>${rows}</tbody></table>
</body></html>
`;
}
