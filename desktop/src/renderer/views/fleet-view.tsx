// Fleet: drift and estimated performance of a model version across its edges, from the synced profile chunks alone
// (offline too): merged in the analysis worker, numerical scores shown with the bound their bins allow.
import type { MetricResult } from '@pmm/core/estimate';
import type { ProfileColumnDriftResult } from '@pmm/core/profile';
import Dexie from 'dexie';
import { useEffect, useState } from 'react';
import { FLEET_BANNER_TEXT, formatScore, VERDICT_LABELS } from '../analysis/fleet';
import type { FleetResult } from '../analysis/protocol';
import { useLiveQuery } from '../hooks';
import { useServices } from '../services';
import { type VersionChoice, versionChoices } from './side-picker';

const toLocal = (t?: number) =>
  t === undefined ? '' : new Date(t - new Date(t).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const fromLocal = (s: string) => (s === '' ? undefined : new Date(s).getTime());
const stamp = (t: number | null) =>
  t === null ? '—' : new Date(t).toISOString().slice(0, 16).replace('T', ' ');
const count = (n: number) => n.toLocaleString('en-US');

function DriftRow({ c }: { readonly c: ProfileColumnDriftResult }) {
  const bound = c.score_bound;
  return (
    <tr data-column={c.column} data-verdict={c.verdict} className={`verdict-${c.verdict}`}>
      <td>{c.column}</td>
      <td>{c.type}</td>
      <td>{c.method}</td>
      <td className="num" data-score={c.score ?? ''}>
        {formatScore(c.score)}
      </td>
      <td className="num" data-bound={bound ? `${bound[0]},${bound[1]}` : ''}>
        {bound ? `[${formatScore(bound[0])}, ${formatScore(bound[1])}]` : '—'}
      </td>
      <td className="num">{formatScore(c.threshold)}</td>
      <td className="verdict">
        {c.verdict === 'indeterminate' ? (
          <span className="indeterminate" title="the bound straddles the threshold: raw rows would decide">
            ⚠ {VERDICT_LABELS.indeterminate}
          </span>
        ) : (
          VERDICT_LABELS[c.verdict]
        )}
      </td>
      <td>{c.exact ? 'yes' : 'no'}</td>
    </tr>
  );
}

function MetricCard({ name, m }: { readonly name: string; readonly m: MetricResult | undefined }) {
  if (!m) return null;
  return (
    <div className={`card ${m.alert ? 'alert' : 'good'}`} data-testid={`fleet-metric-${name}`}>
      <div className="label">Estimated {name === 'roc_auc' ? 'ROC AUC' : name} (CBPE)</div>
      <div className="value" data-value={m.estimate}>
        {formatScore(m.estimate)}
      </div>
      <div className="meta">
        band [{formatScore(m.lower_band)}, {formatScore(m.upper_band)}] · realized{' '}
        {Number.isFinite(m.realized) ? formatScore(m.realized) : 'no labels yet'}
        {m.alert ? ' · outside the reference thresholds' : ''}
      </div>
    </div>
  );
}

export function FleetView() {
  const { db, analysis, modelName } = useServices();
  const choices = useLiveQuery(() => versionChoices(db, modelName), [db, modelName], [] as VersionChoice[]);
  const [chosen, setChosen] = useState<string | null>(null);
  const versions = choices.map((c) => c.version);
  // production by default (first in the list), and again when the model picker changes
  const version = chosen && versions.includes(chosen) ? chosen : (versions[0] ?? null);
  const [from, setFrom] = useState<number | undefined>();
  const [to, setTo] = useState<number | undefined>();
  const [node, setNode] = useState<string | undefined>();
  const held = useLiveQuery(
    async () =>
      version === null
        ? 0
        : db.profile_chunks
            .where('[model_version+ts]')
            .between([version, Dexie.minKey], [version, Dexie.maxKey])
            .count(),
    [db, version],
    0,
  );
  const [result, setResult] = useState<FleetResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `held` changes when chunks sync in: merge again.
  useEffect(() => {
    if (version === null) {
      setResult(null);
      return;
    }
    let current = true;
    setBusy(true);
    analysis
      .fleet({
        version,
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(node !== undefined ? { node } : {}),
      })
      .then(
        (r) => {
          if (!current) return;
          setResult(r);
          setError(null);
        },
        (e: Error) => {
          if (!current) return;
          setResult(null);
          setError(e.message);
        },
      )
      .finally(() => current && setBusy(false));
    return () => {
      current = false;
    };
  }, [analysis, version, from, to, node, held]);

  const shown = result && result.version === version ? result : null;
  const nodes = shown?.allNodes ?? [];

  return (
    <section className="view fleet" data-testid="fleet-view">
      <p className="note profiles-only" data-testid="fleet-banner">
        {FLEET_BANNER_TEXT}
      </p>
      <fieldset className="fleet-pickers">
        <legend>Fleet window</legend>
        <div className="window-editor">
          <label>
            Version
            <select
              data-testid="fleet-version"
              value={version ?? ''}
              onChange={(e) => setChosen(e.target.value)}
            >
              {versions.length === 0 && (
                <option value="" disabled>
                  no models synced yet
                </option>
              )}
              {choices.map((c) => (
                <option key={c.version} value={c.version}>
                  {c.aliases.length ? `${c.aliases.join(', ')} · ${c.version}` : c.version}
                </option>
              ))}
            </select>
          </label>
          <label>
            Edge node
            <select
              data-testid="fleet-node"
              value={node ?? ''}
              onChange={(e) => setNode(e.target.value || undefined)}
            >
              <option value="">all nodes</option>
              {[...new Set([...nodes, ...(node ? [node] : [])])].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label>
            From
            <input
              type="datetime-local"
              data-testid="fleet-from"
              value={toLocal(from)}
              onChange={(e) => setFrom(fromLocal(e.target.value))}
            />
          </label>
          <label>
            To
            <input
              type="datetime-local"
              data-testid="fleet-to"
              value={toLocal(to)}
              onChange={(e) => setTo(fromLocal(e.target.value))}
            />
          </label>
          <span className="hint">
            {count(held)} profile chunks of this version stored locally{busy ? ' · merging…' : ''}
          </span>
        </div>
      </fieldset>
      {error && (
        <p className="error" role="alert" data-testid="fleet-error">
          {error}
        </p>
      )}
      {shown && (
        <>
          <p className="meta" data-testid="fleet-counts">
            <span data-testid="fleet-chunks">{count(shown.chunks)}</span> chunks ·{' '}
            <span data-testid="fleet-nodes">{count(shown.nodes)}</span> nodes ·{' '}
            <span data-testid="fleet-rows">{count(shown.rows)}</span> rows · chunks starting{' '}
            {stamp(shown.first)} – {stamp(shown.last)} UTC
            {shown.leftOut > 0 ? (
              <span className="error-text" data-testid="fleet-left-out">
                {' '}
                · {count(shown.leftOut)} chunks left out ({shown.leftOutReason})
              </span>
            ) : null}
          </p>
          {shown.drift ? (
            <div className="panel">
              <h3>
                Drift against the reference of {shown.version}:{' '}
                <span data-testid="fleet-summary">
                  {shown.drift.number_of_drifted_columns} of {shown.drift.number_of_tested_columns} columns
                  drifted, {shown.drift.number_of_indeterminate_columns} indeterminate
                </span>
              </h3>
              <p className="meta">
                A bound is the range the score from raw rows lies in; a verdict is indeterminate when the
                bound straddles the threshold.
              </p>
              <table className="plain" data-testid="fleet-drift-table">
                <thead>
                  <tr>
                    <th>column</th>
                    <th>type</th>
                    <th>method</th>
                    <th className="num">score</th>
                    <th className="num">bound [lo, hi]</th>
                    <th className="num">threshold</th>
                    <th>verdict</th>
                    <th>exact</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.drift.columns.map((c) => (
                    <DriftRow key={c.column} c={c} />
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="empty" data-testid="fleet-empty">
              No profile rows of {shown.version} in this window
              {node ? ` from ${node}` : ''}.
            </p>
          )}
          {shown.drift && (
            <div className="panel">
              <h3>Estimated performance from the merged score bins</h3>
              {shown.estimated ? (
                <div className="cards">
                  <MetricCard name="roc_auc" m={shown.estimated.roc_auc} />
                  <MetricCard name="accuracy" m={shown.estimated.accuracy} />
                </div>
              ) : (
                <p className="empty">No estimate: {shown.estimateNote}.</p>
              )}
              <p className="meta">
                Each row’s score is taken at its bin’s mean ({count(shown.scoreBins)} bins over [0, 1]);
                merged in {shown.millis.toFixed(0)} ms in the worker.
              </p>
            </div>
          )}
        </>
      )}
      {!shown && !error && version !== null && <p className="empty">Merging…</p>}
      {version === null && <p className="empty">No version of {modelName} is synced yet.</p>}
    </section>
  );
}
