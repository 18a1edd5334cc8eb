// Shadow scoring next to the promote button: a version (the challenger by default) scored in the inference
// worker on a window of production's logged inputs, compared with what production answered; exportable as HTML.
import { renderShadowHtml, type ShadowComparison } from '@pmm/core/shadow';
import { type ReactElement, useEffect, useMemo, useState } from 'react';
import { useLiveQuery } from '../hooks';
import { inferenceClient } from '../inference/client';
import type { BackendChoice, BackendInfo, ShadowResult } from '../inference/protocol';
import type { ArtifactSource } from '../models/artifact-cache';
import { platform } from '../platform';
import { useServices } from '../services';
import type { WindowSpec } from '../store/window-spec';
import { WindowEditor } from './side-picker';

const f4 = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(4);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const signed = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)
    ? '—'
    : `${b - a >= 0 ? '+' : ''}${(b - a).toFixed(4)}`;

export function backendLabel(b: BackendInfo): string {
  return b.backend === 'webgpu'
    ? `WebGPU (${b.adapter ?? 'adapter'})`
    : `WebAssembly (SIMD, ${b.threads} thread${b.threads === 1 ? '' : 's'})`;
}

/** The sync server and read token as a stable object (the services hand out a new one each render). */
export function useArtifactSource(): ArtifactSource | null {
  const { server } = useServices();
  const url = server?.url;
  const readToken = server?.readToken ?? '';
  return useMemo(() => (url ? { url, readToken } : null), [url, readToken]);
}

/** Keeps every synced version's model.onnx in IndexedDB while the server is reachable. */
export function useArtifactPrefetch(versions: readonly string[]): void {
  const { server, sync } = useServices();
  const key = versions.join(',');
  const online = sync?.online ?? false;
  const url = server?.url;
  const readToken = server?.readToken ?? '';
  useEffect(() => {
    if (!url || !online || key === '') return;
    void inferenceClient()
      .prefetch({ versions: key.split(','), source: { url, readToken } })
      .catch(() => undefined);
  }, [url, readToken, online, key]);
}

/** Counts of `values` on `bins` equal bins over [0, 1]. */
function histogram(values: ArrayLike<number>, bins = 20): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor(values[i]! * bins))]!++;
  return counts;
}

function Bars({
  series,
  labels,
  title,
}: {
  series: { name: string; counts: readonly number[]; color: string }[];
  labels: [string, string, string];
  title: string;
}) {
  const width = 420;
  const height = 130;
  const bins = series[0]?.counts.length ?? 0;
  const max = Math.max(1, ...series.flatMap((s) => s.counts));
  const w = width / Math.max(1, bins);
  const inner = w / series.length;
  const rects: ReactElement[] = [];
  series.forEach((s, k) => {
    for (let i = 0; i < s.counts.length; i++) {
      const c = s.counts[i]!;
      const h = (c / max) * height;
      rects.push(
        <rect
          key={`${s.name}-${i}`}
          x={i * w + k * inner + 0.5}
          y={height - h}
          width={Math.max(0.5, inner - 1)}
          height={h}
          fill={s.color}
        >
          <title>{`${s.name}: ${c}`}</title>
        </rect>,
      );
    }
  });
  return (
    <figure className="shadow-chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 14}`} role="img" aria-label={title} width={width}>
        {rects}
        <text x={0} y={height + 12} fontSize={10}>
          {labels[0]}
        </text>
        <text x={width / 2 - 6} y={height + 12} fontSize={10}>
          {labels[1]}
        </text>
        <text x={width - 16} y={height + 12} fontSize={10}>
          {labels[2]}
        </text>
      </svg>
      {series.length > 1 && (
        <div className="legend">
          {series.map((s) => (
            <span key={s.name} style={{ color: s.color }}>
              ■ {s.name}{' '}
            </span>
          ))}
        </div>
      )}
    </figure>
  );
}

function ComparisonTable({
  c,
  production,
  challenger,
}: {
  c: ShadowComparison;
  production: string;
  challenger: string;
}) {
  const metric = (kind: 'estimated' | 'realized', m: 'roc_auc' | 'accuracy' | 'f1') => {
    const a = c.production[kind]?.[m];
    const b = c.challenger[kind]?.[m];
    return (
      <tr key={`${kind}-${m}`} data-metric={`${kind}_${m}`}>
        <td>
          {kind} {m.replace('_', ' ')}
          {kind === 'estimated' ? ' (CBPE)' : ''}
        </td>
        <td className="num">{f4(a)}</td>
        <td className="num">{f4(b)}</td>
        <td className="num">{signed(a, b)}</td>
      </tr>
    );
  };
  return (
    <table className="plain compare" data-testid="shadow-table">
      <thead>
        <tr>
          <th>On the window</th>
          <th>production · {production} (logged)</th>
          <th>{challenger} (scored here)</th>
          <th>Δ</th>
        </tr>
      </thead>
      <tbody>
        <tr data-metric="positive_share">
          <td>positive share</td>
          <td className="num">{pct(c.production.positive_share)}</td>
          <td className="num">{pct(c.challenger.positive_share)}</td>
          <td className="num">{signed(c.production.positive_share, c.challenger.positive_share)}</td>
        </tr>
        <tr data-metric="mean_score">
          <td>mean score</td>
          <td className="num">{f4(c.production.mean_score)}</td>
          <td className="num">{f4(c.challenger.mean_score)}</td>
          <td className="num">{signed(c.production.mean_score, c.challenger.mean_score)}</td>
        </tr>
        {(['roc_auc', 'accuracy', 'f1'] as const).map((m) => metric('estimated', m))}
        {(['roc_auc', 'accuracy', 'f1'] as const).map((m) => metric('realized', m))}
      </tbody>
    </table>
  );
}

/** What the shadow and what-if panels are given: the model name's production, challenger and versions. */
export interface ModelPanelProps {
  readonly production: string;
  readonly challenger: string | null;
  readonly versions: readonly string[];
}

/**
 * The version set beside production, and the versions to pick from: the challenger by default, also when the
 * aliases load after the first render (an offline reload); only an explicit pick overrides it.
 */
export function useOtherVersion({ production, challenger, versions }: ModelPanelProps) {
  const others = versions.filter((v) => v !== production);
  const [picked, pick] = useState<string | null>(null);
  return { others, version: picked ?? challenger ?? others[0] ?? '', pick };
}

export function ShadowPanel(props: ModelPanelProps) {
  const { production, challenger, versions } = props;
  const { db } = useServices();
  const server = useArtifactSource();
  useArtifactPrefetch(versions);
  const held = useLiveQuery(() => db.artifacts.toCollection().primaryKeys(), [db], [] as string[]);
  const { others, version, pick: setVersion } = useOtherVersion(props);
  // Ready the version's session (and the column blocks) while the analyst looks, once its model is held here.
  const ready = version !== '' && held.includes(version);
  useEffect(() => {
    if (!ready) return;
    void inferenceClient()
      .warm({ versions: [version], source: server })
      .catch(() => undefined);
  }, [ready, version, server]);
  const [window, setWindow] = useState<WindowSpec>({ lastN: 5000 });
  const [backend, setBackend] = useState<BackendChoice>('auto');
  const [threshold, setThreshold] = useState(0.5);
  const [result, setResult] = useState<ShadowResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);

  const run = async () => {
    if (!version) return;
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const { modelVersion: _ignored, ...rest } = window;
      setResult(
        await inferenceClient().shadow({
          production,
          challenger: version,
          window: rest,
          threshold,
          backend,
          source: server,
        }),
      );
    } catch (e) {
      setResult(null);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const exportHtml = async () => {
    if (!result) return;
    const html = renderShadowHtml(result.comparison, {
      production: result.production,
      challenger: result.challenger,
      window: result.window,
      backend: backendLabel(result.backend),
      generatedAt: new Date().toISOString(),
    });
    const name = await platform.saveReport(html, 'shadow-report.html');
    if (name) setSaved(name);
  };

  const c = result?.comparison;
  const refusedTotal = result ? Object.values(result.refused).reduce((a, b) => a + b, 0) : 0;
  return (
    <fieldset className="shadow-panel" data-testid="shadow-panel">
      <legend>Shadow scoring on logged traffic</legend>
      <p className="meta">
        Scores the inputs production logged in a window with another version, here in the app, and compares
        with what production answered. model.onnx held locally for{' '}
        <b data-testid="artifacts-held">{versions.filter((v) => held.includes(v)).length}</b> of{' '}
        {versions.length} registered models.
      </p>
      <div className="window-editor">
        <label>
          Version to score
          <select value={version} onChange={(e) => setVersion(e.target.value)} data-testid="shadow-version">
            {others.map((v) => (
              <option key={v} value={v}>
                {v === challenger ? `challenger · ${v}` : v}
              </option>
            ))}
          </select>
        </label>
        <label>
          Backend
          <select
            value={backend}
            onChange={(e) => setBackend(e.target.value as BackendChoice)}
            data-testid="shadow-backend"
          >
            <option value="auto">auto (WebGPU if available)</option>
            <option value="wasm">WebAssembly</option>
            <option value="webgpu">WebGPU</option>
          </select>
        </label>
        <label>
          Threshold
          <input
            type="number"
            min={0.01}
            max={0.99}
            step={0.01}
            value={threshold}
            onChange={(e) => setThreshold(Number(e.target.value) || 0.5)}
          />
        </label>
      </div>
      <WindowEditor value={{ ...window, modelVersion: production }} onChange={setWindow} />
      <button type="button" disabled={busy || !version} onClick={() => void run()} data-testid="run-shadow">
        {busy ? 'Scoring…' : `Score ${version || '…'} on this window`}
      </button>
      {error && (
        <p className="error" data-testid="shadow-error">
          {error}
        </p>
      )}
      {result && c && (
        <div className="shadow-result" data-testid="shadow-result">
          <div className="result-head">
            <p className="meta" data-testid="shadow-meta">
              {c.rows.toLocaleString('en-US')} rows ({result.window}),{' '}
              {c.labelled_rows.toLocaleString('en-US')} with labels · ran on{' '}
              <b data-testid="shadow-backend-ran">{backendLabel(result.backend)}</b> · {result.ms.total} ms in
              the worker ({result.ms.load} ms loading — {result.ms.models} ms the models,{' '}
              {result.ms.load - result.ms.models} ms the window — {result.ms.score} ms scoring,{' '}
              {result.ms.compare} ms comparing)
              {result.backend.backend === 'wasm' && /WebGPU/.test(result.backend.reason) && (
                <span className="hint" data-testid="shadow-backend-reason">
                  {' '}
                  · {result.backend.reason}
                </span>
              )}
            </p>
            <button type="button" onClick={() => void exportHtml()} data-testid="export-shadow">
              Export HTML
            </button>
          </div>
          {saved && <p className="note">Saved {saved}</p>}
          {refusedTotal > 0 && (
            <p className="note" data-testid="shadow-refused">
              {refusedTotal.toLocaleString('en-US')} rows left out, refused by {result.challenger}'s schema:{' '}
              {Object.entries(result.refused)
                .slice(0, 3)
                .map(([r, n]) => `${r} (${n})`)
                .join('; ')}
            </p>
          )}
          <p data-testid="shadow-agreement">
            <b>{pct(c.agreement)}</b> of rows get the same label at {c.threshold}; {c.flips.to_positive} turn
            positive and {c.flips.to_negative} turn negative with {result.challenger}.
          </p>
          <ComparisonTable c={c} production={result.production} challenger={result.challenger} />
          <p className="meta" data-testid="shadow-drift">
            Score distribution drift: KS {f4(c.score_drift.ks_statistic)} (p ={' '}
            {c.score_drift.ks_p_value.toPrecision(3)}
            ), Wasserstein {f4(c.score_drift.wasserstein)}. Differences (challenger − production): mean{' '}
            {f4(c.score_difference.mean)}, mean absolute {f4(c.score_difference.mean_absolute)}, 5%–95%{' '}
            {f4(c.score_difference.quantiles.p05)} to {f4(c.score_difference.quantiles.p95)}.
          </p>
          <div className="split">
            <Bars
              title="Score differences (challenger − production)"
              series={[{ name: 'rows', counts: c.score_difference.histogram.counts, color: '#4a6fa5' }]}
              labels={['−1', '0', '+1']}
            />
            <Bars
              title="Score distributions"
              series={[
                {
                  name: `production ${result.production}`,
                  counts: histogram(result.productionScores),
                  color: '#888',
                },
                { name: result.challenger, counts: histogram(result.challengerScores), color: '#c0632b' },
              ]}
              labels={['0', '0.5', '1']}
            />
          </div>
        </div>
      )}
    </fieldset>
  );
}
