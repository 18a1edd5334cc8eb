// Models: versions and metrics, challenger vs production side by side, promote / roll back via the outbox, notes
// on a version (also via the outbox), alias history.
import { useState } from 'react';
import type { DriftResult } from '../analysis/protocol';
import { ago, useLiveQuery, useNow } from '../hooks';
import { useServices } from '../services';
import type { AliasHistoryRow, ModelRow, OutboxItem } from '../store/db';
import { historyOfName, modelNameOf } from '../store/model-names';
import { currentAliases } from '../store/queries';
import type { WindowSpec } from '../store/window-spec';
import { LinkedText } from './linked-text';
import { NotesPanel } from './notes-panel';
import { ShadowPanel } from './shadow-panel';
import { WindowEditor } from './side-picker';
import { WhatIfPanel } from './what-if-panel';

const METRICS = ['roc_auc', 'accuracy', 'log_loss', 'brier', 'precision', 'recall', 'rows'] as const;
const LOWER_IS_BETTER = new Set(['log_loss', 'brier']);

function metricsOf(model: ModelRow | undefined): Record<string, number> {
  if (!model) return {};
  const card = model.card as { metrics?: Record<string, number> } | null;
  return model.metrics ?? card?.metrics ?? {};
}

interface Comparison {
  against_version: string;
  holdout_rows: number;
  this: Record<string, number>;
  against: Record<string, number>;
}

/** The retrainer's same-holdout scores of `model` and the version it was meant to replace, if recorded. */
function comparisonOf(model: ModelRow | undefined, against: string | null): Comparison | null {
  const card = model?.card as { comparison?: Comparison } | null | undefined;
  return card?.comparison && card.comparison.against_version === against ? card.comparison : null;
}

const fmt = (v: number | undefined, key: string) =>
  v === undefined ? '—' : key === 'rows' ? v.toLocaleString('en-US') : v.toFixed(4);

interface PendingMove {
  alias: string;
  from: string | null;
  to: string;
  kind: 'promote' | 'rollback';
}

function ConfirmMove({
  move,
  onCancel,
  onConfirm,
}: {
  move: PendingMove;
  onCancel: () => void;
  onConfirm: (reason: string) => void;
}) {
  const [reason, setReason] = useState('');
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-title">
        <h3 id="confirm-title">
          {move.kind === 'rollback' ? 'Roll back' : 'Promote'}: {move.alias} → {move.to}
        </h3>
        <p>
          The alias <b>{move.alias}</b> moves from <b>{move.from ?? '(unset)'}</b> to <b>{move.to}</b>.
        </p>
        <ul>
          <li>
            Edge nodes that follow <code>{move.alias}</code> download <b>{move.to}</b> at their next model
            check and serve it from then on; predictions they log afterwards carry{' '}
            <code>model_version = {move.to}</code>.
          </li>
          <li>Nodes pinned to a specific version are not affected.</li>
          <li>
            If you are offline, the change waits in the outbox and is sent once the server is reachable. If
            someone moves {move.alias} in the meantime, nothing changes and you are asked again.
          </li>
        </ul>
        <label>
          Reason (kept in the alias history)
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="e.g. better AUC on last week's traffic"
          />
        </label>
        <div className="actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="primary danger" onClick={() => onConfirm(reason)}>
            {move.kind === 'rollback' ? 'Roll back' : 'Promote'}
          </button>
        </div>
      </div>
    </div>
  );
}

function OutboxPanel() {
  const { db, outbox } = useServices();
  const now = useNow();
  const items = useLiveQuery(
    () => db.outbox.orderBy('created_at').reverse().limit(20).toArray(),
    [db],
    [] as OutboxItem[],
  );
  if (items.length === 0) return null;
  return (
    <div className="panel">
      <h3>Outbox</h3>
      <table className="plain">
        <thead>
          <tr>
            <th>Change</th>
            <th>Status</th>
            <th>Queued</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.key} className={item.status}>
              <td>
                {item.kind === 'note' ? (
                  <>
                    Note on {item.subject_id}
                    <span className="hint">
                      {' '}
                      — {item.text.length > 80 ? `${item.text.slice(0, 80)}…` : item.text}
                    </span>
                  </>
                ) : (
                  <>
                    {item.alias} → {item.version}
                    {item.reason && <span className="hint"> — {item.reason}</span>}
                  </>
                )}
              </td>
              <td data-testid="outbox-status">
                {item.status}
                {item.status === 'conflict' && item.kind === 'set-alias' && (
                  <div className="conflict">
                    {item.alias} is now <b>{item.current_version ?? '(unset)'}</b> on the server (you expected{' '}
                    {item.expected_version ?? '(unset)'}).
                  </div>
                )}
                {item.status === 'conflict' && item.kind === 'note' && (
                  <div className="conflict">{item.last_error}</div>
                )}
                {item.status === 'failed' && <div className="error-text">{item.last_error}</div>}
              </td>
              <td>{ago(item.created_at, now)}</td>
              <td>
                {item.status === 'conflict' && outbox && item.kind === 'note' && (
                  <button type="button" onClick={() => void outbox.resolveConflict(item.key, 'discard')}>
                    Discard
                  </button>
                )}
                {item.status === 'conflict' && outbox && item.kind === 'set-alias' && (
                  <>
                    <button
                      type="button"
                      onClick={async () => {
                        await outbox.resolveConflict(item.key, 'apply');
                        await outbox.flush();
                      }}
                    >
                      Apply anyway ({item.current_version ?? 'unset'} → {item.version})
                    </button>
                    <button type="button" onClick={() => void outbox.resolveConflict(item.key, 'discard')}>
                      Discard
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ModelsView() {
  const { db, outbox, analysis, flushOutbox, navigate, modelName } = useServices();
  // The chosen model's versions and alias history (the header's model picker).
  const { models, history } = useLiveQuery(
    async () => {
      const [all, allHistory] = await Promise.all([
        db.models.orderBy('ts').reverse().toArray(),
        db.alias_history.orderBy('ts').reverse().toArray(),
      ]);
      return {
        models: all.filter((m) => modelNameOf(m) === modelName),
        history: historyOfName(allHistory, all, modelName),
      };
    },
    [db, modelName],
    { models: [] as ModelRow[], history: [] as AliasHistoryRow[] },
  );
  const aliases = currentAliases(history);
  const production = aliases.get('production')?.to_version ?? null;
  const challenger = aliases.get('challenger')?.to_version ?? null;
  const byVersion = new Map(models.map((m) => [m.version, m]));
  const [move, setMove] = useState<PendingMove | null>(null);
  const [window, setWindow] = useState<WindowSpec>({ lastN: 5000 });
  const [compare, setCompare] = useState<{ production: DriftResult; challenger: DriftResult } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const lastProductionMove = history.find((h) => h.alias === 'production');
  // The challenger alias cleared by a promotion (the server records it): say so instead of an empty panel.
  const lastChallengerMove = history.find((h) => h.alias === 'challenger');
  const clearedChallenger =
    !challenger && lastChallengerMove?.to_version === null ? lastChallengerMove : null;

  const runCompare = async () => {
    if (!production || !challenger) return;
    setBusy(true);
    setError(null);
    try {
      const current = { kind: 'window' as const, window };
      const [p, c] = await Promise.all([
        analysis.drift({ reference: { kind: 'profile', version: production }, current }),
        analysis.drift({ reference: { kind: 'profile', version: challenger }, current }),
      ]);
      setCompare({ production: p, challenger: c });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async (reason: string) => {
    if (!move || !outbox) return;
    await outbox.enqueueSetAlias({
      alias: move.alias,
      version: move.to,
      reason: reason || null,
      expectedVersion: move.from,
    });
    setMove(null);
    await flushOutbox();
  };

  // Prefer the scores of both models on the same holdout rows (recorded by retraining) over each model's own.
  const sameHoldout = comparisonOf(challenger ? byVersion.get(challenger) : undefined, production);
  const pm = sameHoldout?.against ?? metricsOf(production ? byVersion.get(production) : undefined);
  const cm = sameHoldout?.this ?? metricsOf(challenger ? byVersion.get(challenger) : undefined);

  return (
    <section className="view models">
      {!outbox && (
        <p className="note">
          Set the sync server in Settings to promote or roll back; analysis works without it.
        </p>
      )}
      <div className="panel">
        <div className="panel-head">
          <h3>Challenger vs production</h3>
          <button type="button" className="link" onClick={() => navigate({ kind: 'reports' })}>
            Drift reports and retraining runs →
          </button>
        </div>
        <p className="meta" data-testid="current-aliases">
          production <b>{production ?? '(unset)'}</b> · challenger <b>{challenger ?? '(none)'}</b>
        </p>
        {production && challenger && challenger !== production ? (
          <>
            <table className="plain compare">
              <thead>
                <tr>
                  <th data-testid="compare-basis">
                    {sameHoldout
                      ? `Same holdout (${sameHoldout.holdout_rows.toLocaleString('en-US')} rows)`
                      : 'Holdout metric (each its own)'}
                  </th>
                  <th>production · {production}</th>
                  <th>challenger · {challenger}</th>
                  <th>Δ</th>
                </tr>
              </thead>
              <tbody>
                {METRICS.map((k) => {
                  const a = pm[k];
                  const b = cm[k];
                  const d = a !== undefined && b !== undefined ? b - a : undefined;
                  const better =
                    d === undefined || d === 0 || k === 'rows'
                      ? ''
                      : d > 0 !== LOWER_IS_BETTER.has(k)
                        ? 'better'
                        : 'worse';
                  return (
                    <tr key={k}>
                      <td>{k}</td>
                      <td className="num">{fmt(a, k)}</td>
                      <td className="num">{fmt(b, k)}</td>
                      <td className={`num ${better}`}>
                        {d === undefined || k === 'rows' ? '' : `${d > 0 ? '+' : ''}${d.toFixed(4)}`}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <fieldset className="compare-window">
              <legend>Feature drift of both models on a window of the log</legend>
              <p className="meta">
                Compares the predictions logged in this window with the training data of each model (its
                reference profile): which model's training data looks more like today's traffic.
              </p>
              <WindowEditor value={window} onChange={setWindow} />
              <button type="button" disabled={busy} onClick={() => void runCompare()}>
                {busy ? 'Comparing…' : 'Drift of both on this window'}
              </button>
            </fieldset>
            {error && <p className="error">{error}</p>}
            {compare && (
              <table className="plain compare">
                <thead>
                  <tr>
                    <th>Feature</th>
                    <th>vs production's training data</th>
                    <th>vs challenger's training data</th>
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <td>
                      <b>Drifted features</b>
                    </td>
                    <td>
                      {compare.production.report.number_of_drifted_columns} of{' '}
                      {compare.production.report.number_of_tested_columns}
                    </td>
                    <td>
                      {compare.challenger.report.number_of_drifted_columns} of{' '}
                      {compare.challenger.report.number_of_tested_columns}
                    </td>
                  </tr>
                  {compare.production.report.columns.map((c) => {
                    const o = compare.challenger.report.columns.find((x) => x.column === c.column);
                    const cell = (x: typeof c | undefined) =>
                      x
                        ? `${x.drifted ? 'Drift' : 'ok'} · ${x.method} ${x.score === null ? '—' : Number(x.score.toPrecision(3))}`
                        : '—';
                    return (
                      <tr key={c.column}>
                        <td>{c.column}</td>
                        <td className={c.drifted ? 'worse' : ''}>{cell(c)}</td>
                        <td className={o?.drifted ? 'worse' : ''}>{cell(o)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </>
        ) : clearedChallenger ? (
          <p className="empty" data-testid="no-challenger">
            No challenger: {clearedChallenger.from_version} was promoted to production (
            {clearedChallenger.at?.slice(0, 16).replace('T', ' ')}), so the challenger alias was cleared. The
            next retraining sets a new one.
          </p>
        ) : (
          <p className="empty" data-testid="no-challenger">
            {production
              ? 'No challenger yet: retraining (on drift, or `POST /v1/retrain`) registers one.'
              : 'Needs a production alias (synced from the server).'}
          </p>
        )}
        {production && (
          <div className="actions">
            {challenger && challenger !== production && (
              <button
                type="button"
                className="primary"
                disabled={!outbox}
                onClick={() =>
                  setMove({ alias: 'production', from: production, to: challenger!, kind: 'promote' })
                }
              >
                Promote challenger {challenger} to production…
              </button>
            )}
            {lastProductionMove?.from_version && (
              <button
                type="button"
                disabled={!outbox}
                onClick={() =>
                  setMove({
                    alias: 'production',
                    from: production,
                    to: lastProductionMove.from_version!,
                    kind: 'rollback',
                  })
                }
              >
                Roll back production to {lastProductionMove.from_version}…
              </button>
            )}
          </div>
        )}
        {production && models.length > 1 && (
          <>
            <ShadowPanel
              production={production}
              challenger={challenger}
              versions={models.map((m) => m.version)}
            />
            <WhatIfPanel
              production={production}
              challenger={challenger}
              versions={models.map((m) => m.version)}
            />
          </>
        )}
      </div>

      <OutboxPanel />

      <div className="panel">
        <h3>Versions</h3>
        <table className="plain">
          <thead>
            <tr>
              <th>Version</th>
              <th>Aliases</th>
              <th>Created</th>
              <th>Parent</th>
              {METRICS.map((k) => (
                <th key={k} className="num">
                  {k}
                </th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {models.map((m) => {
              const names = [...aliases.values()]
                .filter((a) => a.to_version === m.version)
                .map((a) => a.alias);
              const metrics = metricsOf(m);
              return (
                <tr key={m.version}>
                  <td>
                    <code>{m.version}</code>
                  </td>
                  <td>
                    {names.map((n) => (
                      <span key={n} className={`alias ${n}`}>
                        {n}
                      </span>
                    ))}
                  </td>
                  <td>{m.created_at?.slice(0, 16).replace('T', ' ')}</td>
                  <td>{m.parent_version ?? '—'}</td>
                  {METRICS.map((k) => (
                    <td key={k} className="num">
                      {fmt(metrics[k], k)}
                    </td>
                  ))}
                  <td>
                    {m.version !== production && (
                      <button
                        type="button"
                        disabled={!outbox}
                        onClick={() =>
                          setMove({ alias: 'production', from: production, to: m.version, kind: 'promote' })
                        }
                      >
                        Make production…
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
            {models.length === 0 && (
              <tr>
                <td colSpan={12} className="empty">
                  No models in the local store yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>

      <NotesPanel versions={models.map((m) => m.version)} initial={challenger ?? production} />

      <div className="panel">
        <h3>Alias history</h3>
        <table className="plain">
          <thead>
            <tr>
              <th>When</th>
              <th>Alias</th>
              <th>From</th>
              <th>To</th>
              <th>Who</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {history.map((h) => (
              <tr key={String(h.id)}>
                <td>{h.at?.slice(0, 19).replace('T', ' ')}</td>
                <td>{h.alias}</td>
                <td>{h.from_version ?? '—'}</td>
                <td>{h.to_version ?? <span className="hint">(cleared)</span>}</td>
                <td>{h.actor ?? '—'}</td>
                <td>
                  <LinkedText text={h.reason} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {move && <ConfirmMove move={move} onCancel={() => setMove(null)} onConfirm={(r) => void confirm(r)} />}
    </section>
  );
}
