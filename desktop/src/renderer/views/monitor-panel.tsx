// The centre's monitoring over time, as synced: estimated vs realized ROC AUC per drift window (CBPE) with bands and
// thresholds, detector alarms on the time axis, and the reconstruction error beside the univariate drift share.
import { type TimeMarker, TimeSeriesChart } from '@pmm/ui';
import { useEffect, useMemo, useState } from 'react';
import { useLiveQuery } from '../hooks';
import { useServices } from '../services';
import type { DetectorAlarmRow, DriftReportRow, MonitorWindowRow } from '../store/db';
import { versionChoices } from './side-picker';

type Auc = {
  estimate: number | null;
  realized: number | null;
  lower_band: number | null;
  upper_band: number | null;
  lower_threshold: number | null;
  upper_threshold: number | null;
  alert: boolean;
};
type Multivariate = {
  status: string;
  value?: number | null;
  lower_threshold?: number | null;
  upper_threshold?: number | null;
  alert?: boolean;
  reason?: string;
};

const ALARM_COLORS = { score: '#8172b3', error: '#c44e52' } as const;
export const MULTIVARIATE_MEANING =
  'A multivariate alert while no column drifts means the relations between columns changed: each column alone still looks like the reference, their combination does not.';

const auc = (w: MonitorWindowRow): Auc | null =>
  w.performance?.status === 'ok'
    ? ((w.performance.metrics as Record<string, Auc> | undefined)?.roc_auc ?? null)
    : null;
const fmt = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
const timeOf = (w: MonitorWindowRow) => Date.parse(w.window_end ?? w.created_at);

export function MonitorPanel() {
  const { db, modelName } = useServices();
  const windows = useLiveQuery(
    () => db.monitor_windows.orderBy('ts').toArray(),
    [db],
    [] as MonitorWindowRow[],
  );
  const alarms = useLiveQuery(
    () => db.detector_alarms.orderBy('ts').toArray(),
    [db],
    [] as DetectorAlarmRow[],
  );
  const choices = useLiveQuery(() => versionChoices(db, modelName), [db, modelName], []);
  const versions = useMemo(() => {
    const present = new Set(windows.map((w) => w.model_version));
    // The picked model's versions with windows, production first (as the pickers order them).
    return choices.map((c) => c.version).filter((v) => present.has(v));
  }, [windows, choices]);
  const [version, setVersion] = useState<string | null>(null);
  useEffect(() => {
    if (version === null || !versions.includes(version)) setVersion(versions[0] ?? null);
  }, [versions, version]);

  const mine = useMemo(
    () => windows.filter((w) => w.model_version === version).sort((a, b) => timeOf(a) - timeOf(b)),
    [windows, version],
  );
  const reportIds = mine.map((w) => String(w.drift_report_id)).join(',');
  const reports = useLiveQuery(
    async () => {
      const ids = reportIds === '' ? [] : reportIds.split(',');
      const found = await db.drift_reports.bulkGet(ids);
      // int8 keys may be stored as numbers.
      const missing = ids.filter((_, i) => !found[i]);
      const again = missing.length ? await db.drift_reports.bulkGet(missing.map(Number)) : [];
      const byId = new Map<string, DriftReportRow>();
      for (const r of [...found, ...again]) if (r) byId.set(String(r.id), r);
      return byId;
    },
    [db, reportIds],
    new Map<string, DriftReportRow>(),
  );
  const myAlarms = useMemo(() => alarms.filter((a) => a.model_version === version), [alarms, version]);

  const x = useMemo(() => mine.map((w) => timeOf(w) / 1000), [mine]);
  const performance = useMemo(() => {
    const a = mine.map(auc);
    const pick = (k: keyof Auc) => a.map((m) => (m ? ((m[k] as number | null) ?? null) : null));
    return [
      { label: 'estimated ROC AUC', values: pick('estimate'), color: '#4c72b0' },
      { label: 'lower band (−3 SE)', values: pick('lower_band'), color: '#9bb0d3', dash: [4, 4] },
      { label: 'upper band (+3 SE)', values: pick('upper_band'), color: '#9bb0d3', dash: [4, 4] },
      { label: 'realized ROC AUC', values: pick('realized'), color: '#55a868' },
      { label: 'lower threshold', values: pick('lower_threshold'), color: '#c44e52', dash: [6, 4] },
      { label: 'upper threshold', values: pick('upper_threshold'), color: '#dd8452', dash: [6, 4] },
    ];
  }, [mine]);
  const multivariate = useMemo(() => {
    const m = mine.map((w) => w.multivariate as Multivariate);
    const pick = (k: 'value' | 'lower_threshold' | 'upper_threshold') =>
      m.map((v) => (v?.status === 'ok' ? (v[k] ?? null) : null));
    return [
      { label: 'reconstruction error', values: pick('value'), color: '#4c72b0' },
      { label: 'upper threshold', values: pick('upper_threshold'), color: '#c44e52', dash: [6, 4] },
      { label: 'lower threshold', values: pick('lower_threshold'), color: '#dd8452', dash: [6, 4] },
    ];
  }, [mine]);
  const driftShare = useMemo(
    () => mine.map((w) => reports.get(String(w.drift_report_id))?.drift_share ?? null),
    [mine, reports],
  );
  const markers = useMemo<TimeMarker[]>(
    () => myAlarms.map((a) => ({ x: Date.parse(a.at) / 1000, color: ALARM_COLORS[a.stream] })),
    [myAlarms],
  );

  const latest = mine.at(-1);
  const latestAuc = latest ? auc(latest) : null;
  const latestMv = latest ? (latest.multivariate as Multivariate) : null;
  const quietAlerts = mine.filter((w) => {
    const m = w.multivariate as Multivariate;
    const r = reports.get(String(w.drift_report_id));
    return m?.status === 'ok' && m.alert && r !== undefined && r.drift_share === 0;
  }).length;
  const byStream = { score: 0, error: 0 };
  for (const a of myAlarms) byStream[a.stream]++;

  return (
    <div className="panel monitor" data-testid="monitor-panel">
      <h3>From the centre: every drift run</h3>
      {!version ? (
        <p className="empty" data-testid="monitor-empty">
          No drift run has been synced yet: each run at the centre adds the estimated performance and the
          multivariate drift of its window here.
        </p>
      ) : (
        <>
          {versions.length > 1 && (
            <label>
              Model version{' '}
              <select value={version} onChange={(e) => setVersion(e.target.value)}>
                {versions.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
          )}
          <p className="meta">
            {mine.length} drift window{mine.length === 1 ? '' : 's'} of {version}; the latest ends{' '}
            {latest?.window_end ?? latest?.created_at} ({latest?.labelled ?? 0} of {latest?.rows ?? 0}{' '}
            labelled).
          </p>
          <div className="cards">
            <div className={`card${latestAuc?.alert ? ' alert' : ''}`} data-testid="monitor-estimate">
              <div className="label">Estimated ROC AUC (no labels needed)</div>
              <div className="value">{fmt(latestAuc?.estimate)}</div>
              <div className="meta">
                band {fmt(latestAuc?.lower_band)} – {fmt(latestAuc?.upper_band)}; thresholds{' '}
                {fmt(latestAuc?.lower_threshold)} – {fmt(latestAuc?.upper_threshold)}
              </div>
            </div>
            <div className="card" data-testid="monitor-realized">
              <div className="label">Realized ROC AUC (from feedback)</div>
              <div className="value">{fmt(latestAuc?.realized)}</div>
              <div className="meta">
                {latest?.labelled ? `${latest.labelled} labelled rows` : 'waiting for labels'}
              </div>
            </div>
            <div className={`card${latestMv?.alert ? ' alert' : ''}`} data-testid="monitor-reconstruction">
              <div className="label">Reconstruction error (multivariate)</div>
              <div className="value">{latestMv?.status === 'ok' ? fmt(latestMv.value) : '—'}</div>
              <div className="meta">
                {latestMv?.status === 'ok'
                  ? `upper threshold ${fmt(latestMv.upper_threshold)}${latestMv.alert ? ' — alert' : ''}`
                  : (latestMv?.reason ?? '')}
              </div>
            </div>
            <div className={`card${myAlarms.length ? ' alert' : ''}`} data-testid="detector-alarms">
              <div className="label">Detector alarms</div>
              <div className="value">{myAlarms.length}</div>
              <div className="meta">
                score stream {byStream.score}, error stream {byStream.error}
                {myAlarms.at(-1) ? `; latest ${myAlarms.at(-1)!.at} (${myAlarms.at(-1)!.method})` : ''}
              </div>
            </div>
          </div>
          <p className="meta">
            Estimated by CBPE from the logged probabilities against the model’s holdout; band = estimate ± 3
            sampling errors; thresholds = mean ± 3 std of the holdout’s realized ROC AUC. Dashed vertical
            lines are detector alarms (purple: score stream, red: error stream).
          </p>
          <TimeSeriesChart
            x={x}
            series={performance}
            markers={markers}
            yRange={[0, 1]}
            points
            title="ROC AUC per drift window: estimated vs realized"
          />
          <TimeSeriesChart
            x={x}
            series={multivariate}
            markers={markers}
            points
            title="Reconstruction error per drift window (multivariate drift)"
            height={180}
          />
          <TimeSeriesChart
            x={x}
            series={[{ label: 'drifted share of columns', values: driftShare, color: '#c44e52' }]}
            yRange={[0, 1]}
            points
            title="Share of drifted columns per drift window (univariate)"
            height={150}
          />
          <details>
            <summary>Windows</summary>
            <table className="plain" data-testid="monitor-windows">
              <thead>
                <tr>
                  <th>Drift report</th>
                  <th>Window end</th>
                  <th className="num">Rows (labelled)</th>
                  <th className="num">Estimated ROC AUC</th>
                  <th className="num">Realized</th>
                  <th className="num">Reconstruction error</th>
                  <th className="num">Drifted columns</th>
                </tr>
              </thead>
              <tbody>
                {[...mine].reverse().map((w) => {
                  const a = auc(w);
                  const m = w.multivariate as Multivariate;
                  const share = reports.get(String(w.drift_report_id))?.drift_share;
                  return (
                    <tr key={String(w.drift_report_id)} data-id={String(w.drift_report_id)}>
                      <td>{String(w.drift_report_id)}</td>
                      <td>{w.window_end ?? '—'}</td>
                      <td className="num">
                        {w.rows} ({w.labelled})
                      </td>
                      <td className={`num${a?.alert ? ' worse' : ''}`} data-col="estimate">
                        {fmt(a?.estimate)}
                      </td>
                      <td className="num" data-col="realized">
                        {fmt(a?.realized)}
                      </td>
                      <td className={`num${m?.alert ? ' worse' : ''}`} data-col="reconstruction">
                        {m?.status === 'ok' ? fmt(m.value) : '—'}
                      </td>
                      <td className="num">{share === undefined ? '—' : `${(share * 100).toFixed(0)} %`}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </details>
          <p className={quietAlerts ? 'note' : 'meta'} data-testid="multivariate-meaning">
            {MULTIVARIATE_MEANING}
            {quietAlerts
              ? ` ${quietAlerts} window${quietAlerts === 1 ? '' : 's'} here alerted with no drifted column.`
              : ''}
          </p>
        </>
      )}
    </div>
  );
}
