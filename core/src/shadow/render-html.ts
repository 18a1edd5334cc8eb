// The shadow comparison as one self-contained HTML page (inline CSS and SVG, no scripts, no requests), in the
// style of the drift report, so an analyst can keep or send the evidence behind a promotion.
import { escapeHtml } from '../drift/render-html';
import type { ModelSide, ShadowComparison } from './compare';

export interface ShadowRenderContext {
  readonly production: string;
  readonly challenger: string;
  readonly window?: string;
  readonly backend?: string;
  readonly generatedAt?: string;
}

const f4 = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(4);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function metricRows(prod: ModelSide, chal: ModelSide): string {
  const rows: string[] = [];
  for (const kind of ['estimated', 'realized'] as const) {
    for (const metric of ['roc_auc', 'accuracy', 'f1'] as const) {
      const a = prod[kind]?.[metric];
      const b = chal[kind]?.[metric];
      const delta =
        a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) ? b - a : null;
      rows.push(
        `<tr><td>${kind} ${metric.replace('_', ' ')}</td><td>${f4(a)}</td><td>${f4(b)}</td><td>${delta === null ? '—' : (delta >= 0 ? '+' : '') + delta.toFixed(4)}</td></tr>`,
      );
    }
  }
  return rows.join('');
}

function histogramSvg(edges: readonly number[], counts: readonly number[]): string {
  const width = 600;
  const height = 160;
  const max = Math.max(1, ...counts);
  const w = width / counts.length;
  const bars = counts
    .map((c, i) => {
      const h = (c / max) * (height - 20);
      return `<rect x="${(i * w + 1).toFixed(1)}" y="${(height - 20 - h).toFixed(1)}" width="${(w - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${edges[i]!.toFixed(1)} to ${edges[i + 1]!.toFixed(1)}: ${c}</title></rect>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="score differences"><g fill="#4a6fa5">${bars}</g><text x="0" y="${height - 4}">−1</text><text x="${width / 2 - 4}" y="${height - 4}">0</text><text x="${width - 12}" y="${height - 4}">+1</text></svg>`;
}

/** The comparison as a complete HTML document. */
export function renderShadowHtml(c: ShadowComparison, ctx: ShadowRenderContext): string {
  const title = `Shadow scoring: ${ctx.challenger} against ${ctx.production}`;
  const q = c.score_difference.quantiles;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:56rem;color:#222}table{border-collapse:collapse;margin:1rem 0}td,th{border-bottom:1px solid #ddd;padding:.3rem .8rem;text-align:right}td:first-child,th:first-child{text-align:left}svg{width:100%;max-width:600px}text{font-size:11px;fill:#555}.muted{color:#666}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${c.rows} logged rows${ctx.window ? ` (${escapeHtml(ctx.window)})` : ''}, ${c.labelled_rows} with labels; threshold ${c.threshold}${ctx.backend ? `; scored with ${escapeHtml(ctx.backend)}` : ''}${ctx.generatedAt ? `; ${escapeHtml(ctx.generatedAt)}` : ''}.</p>
<p><strong>${pct(c.agreement)}</strong> of rows get the same label from both models; ${c.flips.to_positive} turn positive and ${c.flips.to_negative} turn negative with the challenger.</p>
<table><thead><tr><th></th><th>${escapeHtml(ctx.production)}</th><th>${escapeHtml(ctx.challenger)}</th><th>Δ</th></tr></thead><tbody>
<tr><td>positive share</td><td>${pct(c.production.positive_share)}</td><td>${pct(c.challenger.positive_share)}</td><td></td></tr>
<tr><td>mean score</td><td>${f4(c.production.mean_score)}</td><td>${f4(c.challenger.mean_score)}</td><td></td></tr>
${metricRows(c.production, c.challenger)}
</tbody></table>
<h2>Score differences (challenger − production)</h2>
<p class="muted">mean ${f4(c.score_difference.mean)}, mean absolute ${f4(c.score_difference.mean_absolute)}, max absolute ${f4(c.score_difference.max_absolute)}; quantiles 5% ${f4(q.p05)}, 25% ${f4(q.p25)}, 50% ${f4(q.p50)}, 75% ${f4(q.p75)}, 95% ${f4(q.p95)}.</p>
${histogramSvg(c.score_difference.histogram.edges, c.score_difference.histogram.counts)}
<h2>Score distribution drift</h2>
<p>KS statistic ${f4(c.score_drift.ks_statistic)} (p ${c.score_drift.ks_p_value.toExponential(2)}), Wasserstein distance ${f4(c.score_drift.wasserstein)}.</p>
</body></html>
`;
}
