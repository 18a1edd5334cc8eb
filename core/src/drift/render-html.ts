// The drift report as one self-contained HTML page (inline CSS and SVG, no scripts, no external requests).

import {
  columnsByDrift,
  formatPercent,
  formatScore,
  formatThreshold,
  type RenderContext,
  summaryLine,
} from './render-text';
import type { ColumnDistribution, ColumnDriftResult, DriftReport } from './report';

const REFERENCE_COLOR = '#4c72b0';
const CURRENT_COLOR = '#dd8452';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A compact axis label: up to 4 significant digits, scientific for very large or small magnitudes. */
function formatTick(x: number): string {
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e6 || abs < 1e-3) return x.toExponential(1);
  return String(Number(x.toPrecision(4)));
}

/** The smallest "nice" number (1, 2, 2.5, 5 × 10^k) at or above x. */
function niceCeil(x: number): number {
  if (!(x > 0)) return 0.25;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x - 1e-12) return m * p;
  return 10 * p;
}

function truncate(label: string, max: number): string {
  const chars = [...label];
  return chars.length <= max ? label : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

const n2 = (x: number): string => (Math.round(x * 100) / 100).toString();

/**
 * An SVG bar chart of a column's reference and current shares: overlaid translucent bars for a histogram,
 * paired bars for values. Built from the aggregates alone.
 */
export function distributionSvg(distribution: ColumnDistribution, title: string): string {
  const width = 960;
  const height = 280;
  const left = 52;
  const right = 28;
  const top = 14;
  const rotate = distribution.kind === 'values' && distribution.labels.length > 6;
  const bottom = rotate ? 92 : 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const highest = Math.max(0, ...distribution.reference, ...distribution.current);
  const step = niceCeil(highest / 4);
  const ticks = Math.max(1, Math.ceil(highest / step - 1e-9));
  const max = step * ticks;
  const y = (share: number): number => top + plotH - (share / max) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`,
  );
  for (let k = 0; k <= ticks; k++) {
    const v = step * k;
    const yy = n2(y(v));
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${yy}" class="ytick">${escapeHtml(formatPercent(v))}</text>`);
  }
  const bins = distribution.reference.length;
  if (bins === 0) {
    parts.push(`<text x="${left + plotW / 2}" y="${top + plotH / 2}" class="empty">no values</text>`);
  } else if (distribution.kind === 'histogram') {
    const w = plotW / bins;
    for (const [side, shares, color] of [
      ['reference', distribution.reference, REFERENCE_COLOR],
      ['current', distribution.current, CURRENT_COLOR],
    ] as const) {
      shares.forEach((s, i) => {
        const x0 = left + i * w;
        const yy = y(s);
        const range = `[${formatTick(distribution.edges[i]!)}, ${formatTick(distribution.edges[i + 1]!)}${i === bins - 1 ? ']' : ')'}`;
        parts.push(
          `<rect x="${n2(x0 + 0.5)}" y="${n2(yy)}" width="${n2(Math.max(0.5, w - 1))}" height="${n2(top + plotH - yy)}" fill="${color}" fill-opacity="0.55"><title>${escapeHtml(`${side} ${range}: ${formatPercent(s)}`)}</title></rect>`,
        );
      });
    }
    const step = Math.max(1, Math.ceil(bins / 6));
    for (let i = 0; i <= bins; i += step) {
      parts.push(
        `<text x="${n2(left + i * w)}" y="${top + plotH + 16}" class="xtick">${escapeHtml(formatTick(distribution.edges[i]!))}</text>`,
      );
    }
    if (bins % step !== 0) {
      parts.push(
        `<text x="${n2(left + plotW)}" y="${top + plotH + 16}" class="xtick">${escapeHtml(formatTick(distribution.edges[bins]!))}</text>`,
      );
    }
  } else {
    const w = plotW / bins;
    const bar = Math.max(1, Math.min((w * 0.8) / 2, 64));
    const maxChars = rotate ? 18 : Math.max(3, Math.floor(w / 7));
    distribution.labels.forEach((label, i) => {
      const x0 = left + i * w + w / 2 - bar;
      for (const [k, side, s, color] of [
        [0, 'reference', distribution.reference[i]!, REFERENCE_COLOR],
        [1, 'current', distribution.current[i]!, CURRENT_COLOR],
      ] as const) {
        const yy = y(s);
        parts.push(
          `<rect x="${n2(x0 + k * bar)}" y="${n2(yy)}" width="${n2(bar)}" height="${n2(top + plotH - yy)}" fill="${color}" fill-opacity="0.85"><title>${escapeHtml(`${side} ${label}: ${formatPercent(s)}`)}</title></rect>`,
        );
      }
      const cx = n2(left + i * w + w / 2);
      const ty = top + plotH + 14;
      const text = escapeHtml(truncate(label, maxChars));
      parts.push(
        rotate
          ? `<text x="${cx}" y="${ty}" class="xtick rot" transform="rotate(-35 ${cx} ${ty})"><title>${escapeHtml(label)}</title>${text}</text>`
          : `<text x="${cx}" y="${ty}" class="xtick"><title>${escapeHtml(label)}</title>${text}</text>`,
      );
    });
  }
  parts.push(
    `<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" class="axis"/>`,
  );
  parts.push('</svg>');
  return parts.join('');
}

function badge(column: ColumnDriftResult): string {
  if (!column.tested) return '<span class="badge untested">not tested</span>';
  return column.drifted ? '<span class="badge drift">drift</span>' : '<span class="badge ok">no drift</span>';
}

function scoreText(column: ColumnDriftResult): string {
  const adjusted = column.score_adjusted !== undefined ? ` (adj. ${formatScore(column.score_adjusted)})` : '';
  return `${formatScore(column.score)}${adjusted}`;
}

const CSS = `
:root{color-scheme:light;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#fff}
main{max-width:1040px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:32px 0 12px}
h3{font-size:16px;margin:0;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
.meta{color:var(--muted);margin:0 0 20px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:14px 16px;background:var(--bg)}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:22px;font-weight:600;margin-top:2px}
.card.alert{background:#fff1f0;border-color:#f5b5ae}
.card.alert .value{color:#b42318}
.card.good .value{color:#1a7f37}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;background:var(--bg)}
td.num,th.num{text-align:right}
td.name{white-space:normal;word-break:break-word}
tr.drifted td{background:#fffaf9}
a{color:#0969da;text-decoration:none}
a:hover{text-decoration:underline}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.badge.drift{background:#ffd8d3;color:#a40e26}
.badge.ok{background:#dafbe1;color:#116329}
.badge.untested{background:#eaeef2;color:#59636e}
section.col{border:1px solid var(--line);border-radius:8px;padding:16px;margin:14px 0;break-inside:avoid}
section.col .facts{color:var(--muted);margin:6px 0 8px}
.legend{display:flex;gap:16px;color:var(--muted);font-size:12px;margin:2px 0 4px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-1px}
svg{width:100%;height:auto;display:block}
svg .grid{stroke:#e6e9ec;stroke-width:1}
svg .axis{stroke:#8c959f;stroke-width:1}
svg text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#59636e}
svg .ytick{text-anchor:end;dominant-baseline:middle}
svg .xtick{text-anchor:middle}
svg .xtick.rot{text-anchor:end}
svg .empty{text-anchor:middle;font-size:13px}
footer{margin-top:32px;color:var(--muted);font-size:12px}
`;

/**
 * Renders the report as one self-contained HTML document: a summary, a table of columns sorted by drift,
 * and per column the reference and current distributions as an inline SVG chart. Every piece of text
 * from the data is escaped. The size depends on the number of columns and bins, never on row counts.
 */
function excludedHtml(report: DriftReport): string {
  const excluded = report.excluded_columns ?? [];
  if (excluded.length === 0) return '';
  const items = excluded.map((c) => `<li><b>${escapeHtml(c.column)}</b>: ${escapeHtml(c.reason)}</li>`);
  return `<h2>Left out</h2>\n<ul class="excluded">${items.join('')}</ul>\n`;
}

export function renderDriftHtml(report: DriftReport, context: RenderContext = {}): string {
  const title = context.title ?? 'Data drift report';
  const ordered = columnsByDrift(report);
  const anchor = new Map(report.columns.map((c, i) => [c, `col-${i}`]));
  const bh = report.options.correction === 'bh';
  const meta = [
    `Reference: ${context.reference ? `${context.reference}, ` : ''}${report.reference_rows.toLocaleString('en-US')} rows`,
    `Current: ${context.current ? `${context.current}, ` : ''}${report.current_rows.toLocaleString('en-US')} rows`,
    ...(context.generatedAt ? [`Generated ${context.generatedAt}`] : []),
  ];
  const cards = [
    `<div class="card ${report.dataset_drift ? 'alert' : 'good'}"><div class="label">Dataset drift</div><div class="value">${report.dataset_drift ? 'Detected' : 'Not detected'}</div></div>`,
    `<div class="card"><div class="label">Drifted columns</div><div class="value">${report.number_of_drifted_columns} of ${report.number_of_tested_columns}</div></div>`,
    `<div class="card"><div class="label">Drift share</div><div class="value">${escapeHtml(formatPercent(report.drift_share))}</div><div class="label">dataset drift at ≥ ${escapeHtml(formatPercent(report.options.drift_share))}</div></div>`,
    `<div class="card"><div class="label">Correction</div><div class="value">${bh ? 'BH' : 'None'}</div><div class="label">${bh ? 'Benjamini-Hochberg on p-values · ' : ''}${report.number_of_columns} columns compared</div></div>`,
  ];
  const rows = ordered.map(
    (c) =>
      `<tr${c.drifted ? ' class="drifted"' : ''}><td class="name"><a href="#${anchor.get(c)}">${escapeHtml(c.column)}</a></td><td>${c.type}</td><td>${escapeHtml(c.method)}</td><td class="num">${escapeHtml(scoreText(c))}</td><td class="num">${escapeHtml(formatThreshold(c.threshold))}</td><td>${badge(c)}</td><td class="num">${escapeHtml(formatPercent(c.missing_share))}</td></tr>`,
  );
  const sections = ordered.map((c) => {
    const kind = c.method_kind === 'test' ? 'p-value' : 'distance';
    const facts = [
      `${c.type}`,
      `${c.method} ${kind} ${scoreText(c)} (threshold ${formatThreshold(c.threshold)})`,
      `reference ${c.reference.count.toLocaleString('en-US')} values, ${c.reference.missing.toLocaleString('en-US')} missing`,
      `current ${c.current.count.toLocaleString('en-US')} values, ${c.current.missing.toLocaleString('en-US')} missing`,
      ...(c.not_tested_reason ? [`not tested: ${c.not_tested_reason}`] : []),
    ];
    return (
      `<section class="col" id="${anchor.get(c)}"><h3>${escapeHtml(c.column)} ${badge(c)}</h3>` +
      `<div class="facts">${facts.map(escapeHtml).join(' · ')}</div>` +
      `<div class="legend"><span><i style="background:${REFERENCE_COLOR}"></i>reference</span><span><i style="background:${CURRENT_COLOR}"></i>current</span><span>share of non-missing values</span></div>` +
      distributionSvg(c.distribution, `${c.column}: reference and current distributions`) +
      '</section>'
    );
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${meta.map(escapeHtml).join(' · ')}</p>
<p>${escapeHtml(summaryLine(report))}</p>
<div class="cards">${cards.join('')}</div>
<h2>Columns</h2>
<table>
<thead><tr><th>Column</th><th>Type</th><th>Method</th><th class="num">Score</th><th class="num">Threshold</th><th>Drift</th><th class="num">Missing</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${excludedHtml(report)}<h2>Distributions</h2>
${sections.join('\n')}
<footer>Made by pmm. Scores are p-values for statistical tests (small means drift) and distances otherwise (large means drift), each judged against its threshold.</footer>
</main>
</body>
</html>
`;
}
