// The CBPE result as JSON-ready data, as text, and as one self-contained HTML page (inline CSS and SVG, no
// scripts, no external requests), in the style of the drift report.

import { escapeHtml } from '../drift/render-html';
import type { MetricName } from './binary-metrics';
import type { CbpeFit, ChunkResult, MetricResult } from './cbpe';

export interface EstimateReport {
  readonly calibrated: boolean;
  readonly metrics: readonly MetricName[];
  readonly reference_chunks: readonly ChunkResult[];
  readonly chunks: readonly ChunkResult[];
}

export interface EstimateRenderContext {
  readonly reference?: string;
  readonly analysis?: string;
  readonly generatedAt?: string;
}

export function estimateReport(fit: CbpeFit, chunks: readonly ChunkResult[]): EstimateReport {
  return { calibrated: fit.calibrated, metrics: fit.metrics, reference_chunks: fit.referenceChunks, chunks };
}

/** JSON text of the report: NaN (a metric undefined on a chunk, a realized value without targets) becomes null. */
export function estimateJson(report: EstimateReport, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ ...extra, ...report }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : '—');

/** A plain-text table per metric: chunk, rows, estimate, band, realized, thresholds, alert. */
export function renderEstimateText(report: EstimateReport, context: EstimateRenderContext = {}): string {
  const lines: string[] = [];
  lines.push(
    `CBPE performance estimate${context.analysis ? ` of ${context.analysis}` : ''}${context.reference ? ` against ${context.reference}` : ''}`,
  );
  lines.push(
    `calibration: ${report.calibrated ? 'isotonic (lowered the expected calibration error)' : 'none (scores used as they are)'}`,
  );
  const alerts = report.chunks.reduce(
    (n, c) => n + Object.values(c.metrics).filter((m) => m.alert).length,
    0,
  );
  lines.push(`${report.chunks.length} analysis chunk(s), ${alerts} alert(s)`);
  for (const m of report.metrics) {
    const first = report.chunks[0]?.metrics[m];
    lines.push('');
    lines.push(
      `${m}  (thresholds ${first ? `${fmt(first.lower_threshold)} – ${fmt(first.upper_threshold)}` : '—'})`,
    );
    lines.push('  chunk                         rows  estimate  band               realized  alert');
    for (const c of report.chunks) {
      const r = c.metrics[m]!;
      lines.push(
        `  ${c.key.padEnd(28).slice(0, 28)} ${String(c.rows).padStart(5)}  ${fmt(r.estimate).padStart(8)}  ${`${fmt(r.lower_band)} – ${fmt(r.upper_band)}`.padEnd(17)}  ${fmt(r.realized).padStart(8)}  ${r.alert ? 'ALERT' : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const n2 = (x: number): string => (Math.round(x * 100) / 100).toString();
const EST = '#4c72b0';
const REAL = '#dd8452';
const THRESH = '#c44e52';

/** One metric over reference then analysis chunks: band as an area, estimate and realized as lines, thresholds dashed. */
export function metricSvg(
  metric: MetricName,
  reference: readonly ChunkResult[],
  analysis: readonly ChunkResult[],
): string {
  const all = [...reference, ...analysis];
  const width = 960;
  const height = 240;
  const left = 52;
  const right = 16;
  const top = 14;
  const bottom = 30;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const vals = all.flatMap((c) => {
    const r = c.metrics[metric]!;
    return [r.estimate, r.realized, r.lower_band, r.upper_band, r.lower_threshold, r.upper_threshold];
  });
  const finite = vals.filter(Number.isFinite);
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi - lo < 0.02) {
    lo -= 0.01;
    hi += 0.01;
  }
  const pad = (hi - lo) * 0.08;
  lo = Math.max(0, lo - pad);
  hi = Math.min(1, hi + pad);
  const count = all.length;
  const x = (i: number) => left + (count <= 1 ? plotW / 2 : (i * plotW) / (count - 1));
  const y = (v: number) => top + plotH - ((v - lo) / (hi - lo || 1)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(metric)} over chunks">`,
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
  const path = (pick: (r: MetricResult) => number) => {
    let d = '';
    let pen = false;
    all.forEach((c, i) => {
      const v = pick(c.metrics[metric]!);
      if (!Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${n2(x(i))} ${n2(y(v))} `;
      pen = true;
    });
    return d.trim();
  };
  const bandUp = all
    .map((c, i) => [i, c.metrics[metric]!.upper_band] as const)
    .filter(([, v]) => Number.isFinite(v));
  const bandLo = all
    .map((c, i) => [i, c.metrics[metric]!.lower_band] as const)
    .filter(([, v]) => Number.isFinite(v));
  if (bandUp.length > 1) {
    const pts = [...bandUp, ...[...bandLo].reverse()].map(([i, v]) => `${n2(x(i))},${n2(y(v))}`).join(' ');
    parts.push(`<polygon points="${pts}" fill="${EST}" fill-opacity="0.15"/>`);
  }
  const t = all[0]?.metrics[metric];
  if (t) {
    for (const v of [t.lower_threshold, t.upper_threshold])
      if (Number.isFinite(v) && v >= lo && v <= hi)
        parts.push(
          `<line x1="${left}" x2="${width - right}" y1="${n2(y(v))}" y2="${n2(y(v))}" stroke="${THRESH}" stroke-dasharray="6 4"/>`,
        );
  }
  parts.push(`<path d="${path((r) => r.realized)}" fill="none" stroke="${REAL}" stroke-width="2"/>`);
  parts.push(`<path d="${path((r) => r.estimate)}" fill="none" stroke="${EST}" stroke-width="2"/>`);
  all.forEach((c, i) => {
    const r = c.metrics[metric]!;
    if (!Number.isFinite(r.estimate)) return;
    parts.push(
      `<circle cx="${n2(x(i))}" cy="${n2(y(r.estimate))}" r="${r.alert ? 5 : 3}" fill="${r.alert ? THRESH : EST}"><title>${escapeHtml(`${c.key}: estimate ${fmt(r.estimate)} (${fmt(r.lower_band)} – ${fmt(r.upper_band)}), realized ${fmt(r.realized)}${r.alert ? ', ALERT' : ''}`)}</title></circle>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The whole report as one HTML page; its size grows with chunks and metrics, never with rows. */
export function renderEstimateHtml(report: EstimateReport, context: EstimateRenderContext = {}): string {
  const alerts = report.chunks.reduce(
    (n, c) => n + Object.values(c.metrics).filter((m) => m.alert).length,
    0,
  );
  const sections = report.metrics.map((m) => {
    const rows = report.chunks
      .map((c) => {
        const r = c.metrics[m]!;
        return `<tr${r.alert ? ' class="alert"' : ''}><td>${escapeHtml(c.key)}</td><td class="num">${c.rows}</td><td class="num">${fmt(r.estimate)}</td><td class="num">${fmt(r.lower_band)} – ${fmt(r.upper_band)}</td><td class="num">${fmt(r.realized)}</td><td>${r.alert ? 'alert' : ''}</td></tr>`;
      })
      .join('');
    return `<section><h2>${escapeHtml(m)}</h2>${metricSvg(m, report.reference_chunks, report.chunks)}<table><thead><tr><th>chunk</th><th>rows</th><th>estimate</th><th>band (±3 SE)</th><th>realized</th><th></th></tr></thead><tbody>${rows}</tbody></table></section>`;
  });
  const title = `Performance estimate${context.analysis ? ` — ${context.analysis}` : ''}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
svg{width:100%;max-width:960px;height:auto;display:block}.grid{stroke:#eee}.split{stroke:#999;stroke-dasharray:2 3}
.ytick{font-size:11px;text-anchor:end;fill:#555}.xtick{font-size:11px;fill:#555}
table{border-collapse:collapse;margin-top:8px}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}.num{text-align:right;font-variant-numeric:tabular-nums}
tr.alert td{background:#fbe9e9}.legend span{display:inline-block;margin-right:16px}.sw{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:4px}
</style></head><body><h1>${escapeHtml(title)}</h1>
<p>${context.reference ? `Reference: ${escapeHtml(context.reference)}. ` : ''}Calibration: ${report.calibrated ? 'isotonic' : 'none'}. ${report.chunks.length} analysis chunk(s), ${alerts} alert(s).${context.generatedAt ? ` Generated ${escapeHtml(context.generatedAt)}.` : ''}</p>
<p class="legend"><span><i class="sw" style="background:${EST}"></i>estimated (band ±3 SE)</span><span><i class="sw" style="background:${REAL}"></i>realized</span><span><i class="sw" style="background:${THRESH}"></i>thresholds (reference mean ± 3 std)</span></p>
${sections.join('\n')}
</body></html>
`;
}
