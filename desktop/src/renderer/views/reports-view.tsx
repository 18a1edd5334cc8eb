// The centre's drift reports (synced into IndexedDB) and retraining runs (read from the server): what ran, why,
// the result, and the challenger a run produced; opened from the alias history and the Models view.
import { columnsByDrift, type DriftReport } from '@pmm/core/drift';
import { DriftTable } from '@pmm/ui';
import { useEffect, useState } from 'react';
import { useLiveQuery } from '../hooks';
import { type Destination, useServices } from '../services';
import type { DriftReportRow } from '../store/db';
import { DEFAULT_MODEL_NAME, versionsOfName } from '../store/model-names';
import { LinkedText } from './linked-text';

/** A retraining run as `GET /v1/retrain/runs` answers it. */
export interface RetrainRunRow {
  readonly id: string;
  readonly status: string;
  readonly trigger: string;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly challenger_version: string | null;
  readonly details: {
    readonly reason?: string | null;
    readonly error?: string;
    readonly drift_report_id?: string | null;
    readonly production_version?: string | null;
    readonly seconds?: number;
    readonly metrics?: {
      readonly challenger?: { readonly roc_auc?: number };
      readonly production?: { readonly roc_auc?: number } | null;
    };
    readonly promotion?: {
      readonly promoted: boolean;
      readonly reason?: string;
      readonly from?: string | null;
    };
  };
}

const when = (iso: string | null | undefined) => (iso ? iso.slice(0, 19).replace('T', ' ') : '—');
const auc = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(4));

function useRetrainRuns(refreshKey: unknown): { runs: RetrainRunRow[] | null; error: string | null } {
  const { server } = useServices();
  const [state, setState] = useState<{ runs: RetrainRunRow[] | null; error: string | null }>({
    runs: null,
    error: null,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: refetched when synced reports or aliases change.
  useEffect(() => {
    if (!server) {
      setState({ runs: null, error: 'Set the sync server in Settings to see retraining runs.' });
      return;
    }
    const abort = new AbortController();
    const headers: Record<string, string> = server.readToken
      ? { Authorization: `Bearer ${server.readToken}` }
      : {};
    fetch(`${server.url.replace(/\/$/, '')}/v1/retrain/runs?limit=100`, { headers, signal: abort.signal })
      .then(async (response) => {
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        const { runs } = (await response.json()) as { runs: RetrainRunRow[] };
        setState({ runs, error: null });
      })
      .catch((e: Error) => {
        if (!abort.signal.aborted)
          setState((s) => ({ runs: s.runs, error: `Retraining runs: ${e.message}` }));
      });
    return () => abort.abort();
  }, [server?.url, server?.readToken, refreshKey]);
  return state;
}

function ReportDetail({ row }: { readonly row: DriftReportRow }) {
  const report = row.report as DriftReport;
  const window = (row.window ?? {}) as Record<string, unknown>;
  const columns = Array.isArray(report?.columns) ? columnsByDrift(report) : [];
  return (
    <div className="report-detail" data-testid="report-detail">
      <h3>
        Drift report {String(row.id)}{' '}
        <span className={`pmm-badge ${row.dataset_drift ? 'drift' : 'ok'}`}>
          {row.dataset_drift ? 'Dataset drift' : 'No dataset drift'}
        </span>
      </h3>
      <p className="meta">
        {when(row.created_at)} · model {row.model_version} · {row.node_id ?? 'all edge nodes'} ·{' '}
        {typeof window['rows'] === 'number' ? `${window['rows'].toLocaleString('en-US')} predictions` : ''}
        {window['first_created_at'] ? ` from ${when(String(window['first_created_at']))}` : ''}
        {window['last_created_at'] ? ` to ${when(String(window['last_created_at']))}` : ''}
        {window['trigger'] ? ` · ${String(window['trigger'])}` : ''} · drift share{' '}
        {row.drift_share.toFixed(3)} ({report?.number_of_drifted_columns ?? '?'} of{' '}
        {report?.number_of_tested_columns ?? '?'} features)
      </p>
      {columns.length > 0 && (
        <DriftTable
          rows={columns.map((c) => ({
            column: c.column,
            type: c.type,
            method: c.method,
            score: c.score_adjusted ?? c.score,
            threshold: c.threshold,
            drifted: c.drifted,
            tested: c.tested,
            missingShare: c.missing_share,
          }))}
        />
      )}
    </div>
  );
}

export function ReportsView({ focus }: { readonly focus: Destination }) {
  const { db, modelName } = useServices();
  // The chosen model's reports (a report on a version not synced yet counts as the default model's).
  const reports = useLiveQuery(
    async () => {
      const [all, models] = await Promise.all([
        db.drift_reports.orderBy('ts').reverse().toArray(),
        db.models.toArray(),
      ]);
      const mine = versionsOfName(models, modelName);
      const known = new Set(models.map((m) => m.version));
      return all.filter((r) =>
        known.has(r.model_version) ? mine.has(r.model_version) : modelName === DEFAULT_MODEL_NAME,
      );
    },
    [db, modelName],
    [] as DriftReportRow[],
  );
  const historyCount = useLiveQuery(() => db.alias_history.count(), [db], 0);
  const { runs, error } = useRetrainRuns(`${reports.length}:${historyCount}`);
  const [selected, setSelected] = useState<string | null>(focus.kind === 'report' ? focus.id : null);
  const [selectedRun, setSelectedRun] = useState<string | null>(focus.kind === 'run' ? focus.id : null);
  useEffect(() => {
    if (focus.kind === 'report') setSelected(focus.id);
    if (focus.kind === 'run') setSelectedRun(focus.id);
  }, [focus]);
  // Scroll the linked entry into view once it is there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: again when the rows it may scroll to arrive.
  useEffect(() => {
    const id =
      focus.kind === 'report' ? `report-${focus.id}` : focus.kind === 'run' ? `run-${focus.id}` : null;
    if (id) document.getElementById(id)?.scrollIntoView({ block: 'center' });
  }, [focus, reports.length, runs?.length]);

  const shown = reports.find((r) => String(r.id) === selected) ?? null;
  const runsByReport = new Map<string, RetrainRunRow[]>();
  for (const run of runs ?? []) {
    const id = run.details.drift_report_id;
    if (id != null) runsByReport.set(String(id), [...(runsByReport.get(String(id)) ?? []), run]);
  }

  return (
    <section className="view reports">
      <div className="panel">
        <h3>Drift reports from the centre</h3>
        <p className="meta">
          The sync server's scheduled and requested drift checks of production traffic against the model's
          reference profile, synced to this computer. Choose one to see its features.
        </p>
        <table className="plain" data-testid="drift-reports">
          <thead>
            <tr>
              <th>#</th>
              <th>When</th>
              <th>Model</th>
              <th>Edge node</th>
              <th className="num">Rows</th>
              <th>Dataset drift</th>
              <th className="num">Drift share</th>
              <th>Retraining it started</th>
            </tr>
          </thead>
          <tbody>
            {reports.map((r) => {
              const id = String(r.id);
              const window = (r.window ?? {}) as Record<string, unknown>;
              return (
                <tr
                  key={id}
                  id={`report-${id}`}
                  data-testid="drift-report"
                  data-id={id}
                  className={`clickable ${selected === id ? 'selected' : ''}`}
                  onClick={() => setSelected(id)}
                >
                  <td>{id}</td>
                  <td>{when(r.created_at)}</td>
                  <td>
                    <code>{r.model_version}</code>
                  </td>
                  <td>{r.node_id ?? 'all'}</td>
                  <td className="num">
                    {typeof window['rows'] === 'number' ? window['rows'].toLocaleString('en-US') : '—'}
                  </td>
                  <td>
                    <span className={`pmm-badge ${r.dataset_drift ? 'drift' : 'ok'}`}>
                      {r.dataset_drift ? 'Drift' : 'No drift'}
                    </span>
                  </td>
                  <td className="num">{r.drift_share.toFixed(3)}</td>
                  <td>
                    {(runsByReport.get(id) ?? []).map((run) => (
                      <LinkedText key={run.id} text={`retrain run ${run.id}`} />
                    ))}
                  </td>
                </tr>
              );
            })}
            {reports.length === 0 && (
              <tr>
                <td colSpan={8} className="empty">
                  No drift reports synced yet: the centre writes one per drift check (every minute by
                  default).
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {shown && <ReportDetail row={shown} />}
      </div>

      <div className="panel">
        <h3>Retraining runs</h3>
        <p className="meta">
          What ran, why, how it ended and the challenger it produced (read from the sync server; not kept
          offline).
        </p>
        {error && <p className="note">{error}</p>}
        <table className="plain" data-testid="retrain-runs">
          <thead>
            <tr>
              <th>#</th>
              <th>Status</th>
              <th>Why</th>
              <th>Started</th>
              <th className="num">Seconds</th>
              <th>Challenger</th>
              <th className="num">ROC AUC challenger / production</th>
              <th>Promotion</th>
            </tr>
          </thead>
          <tbody>
            {(runs ?? []).map((run) => {
              const d = run.details;
              return (
                <tr
                  key={run.id}
                  id={`run-${run.id}`}
                  data-testid="retrain-run"
                  data-id={run.id}
                  className={`${run.status} ${selectedRun === run.id ? 'selected' : ''}`}
                >
                  <td>{run.id}</td>
                  <td>
                    {run.status}
                    {d.error && <div className="error-text">{d.error}</div>}
                  </td>
                  <td>
                    {run.trigger}
                    {d.reason && (
                      <>
                        : <LinkedText text={d.reason} />
                      </>
                    )}
                  </td>
                  <td>{when(run.started_at)}</td>
                  <td className="num">{d.seconds === undefined ? '—' : d.seconds.toFixed(1)}</td>
                  <td>{run.challenger_version ? <code>{run.challenger_version}</code> : '—'}</td>
                  <td className="num">
                    {auc(d.metrics?.challenger?.roc_auc)} / {auc(d.metrics?.production?.roc_auc ?? undefined)}
                  </td>
                  <td>
                    {d.promotion
                      ? d.promotion.promoted
                        ? `promoted (replaced ${d.promotion.from ?? 'nothing'})`
                        : (d.promotion.reason ?? 'not promoted')
                      : '—'}
                  </td>
                </tr>
              );
            })}
            {runs?.length === 0 && (
              <tr>
                <td colSpan={8} className="empty">
                  No retraining runs yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
