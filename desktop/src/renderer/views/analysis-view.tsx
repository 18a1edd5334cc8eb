// Drift analysis: pick reference and current, run core's drift report in the worker, read the table and the charts, export.
import { columnsByDrift, DRIFT_METHODS, type DriftReport, renderDriftHtml } from '@pmm/core/drift';
import { DistributionChart, DriftTable } from '@pmm/ui';
import { useEffect, useRef, useState } from 'react';
import { type DriftResult, kernelsLabel, type SideSpec } from '../analysis/protocol';
import { platform } from '../platform';
import { useServices } from '../services';
import { useModelFeatures } from './model-features';
import { SidePicker } from './side-picker';

function SummaryCards({ report }: { readonly report: DriftReport }) {
  return (
    <div className="cards">
      <div className={`card ${report.dataset_drift ? 'alert' : 'good'}`}>
        <div className="label">Dataset drift</div>
        <div className="value" data-testid="dataset-drift">
          {report.dataset_drift ? 'Detected' : 'Not detected'}
        </div>
      </div>
      <div className="card">
        <div className="label">Drifted columns</div>
        <div className="value">
          {report.number_of_drifted_columns} of {report.number_of_tested_columns}
        </div>
      </div>
      <div className="card">
        <div className="label">Drift share</div>
        <div className="value">{(report.drift_share * 100).toFixed(0)}%</div>
      </div>
      <div className="card">
        <div className="label">Rows</div>
        <div className="value small">
          {report.reference_rows.toLocaleString('en-US')} ref · {report.current_rows.toLocaleString('en-US')}{' '}
          cur
        </div>
      </div>
    </div>
  );
}

export function AnalysisView() {
  const { analysis, addCsv } = useServices();
  const [reference, setReference] = useState<SideSpec | null>(null);
  const [current, setCurrent] = useState<SideSpec | null>({ kind: 'window', window: { lastN: 1000 } });
  const [ignore, setIgnore] = useState('');
  const [method, setMethod] = useState('');
  const [result, setResult] = useState<DriftResult | null>(null);
  const [selected, setSelected] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const exportRef = useRef<() => void>(() => {});
  const features = useModelFeatures();

  const ready =
    reference !== null && current !== null && (reference.kind !== 'profile' || reference.version !== '');

  const run = async () => {
    if (!reference || !current) return;
    setBusy(true);
    setError(null);
    setExported(null);
    try {
      const r = await analysis.drift({
        reference,
        current,
        ignore: ignore
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        options: method ? { method } : {},
        ...(features ? { features } : {}),
      });
      setResult(r);
      setSelected(columnsByDrift(r.report)[0]?.column);
    } catch (e) {
      setError((e as Error).message);
      setResult(null);
    } finally {
      setBusy(false);
    }
  };

  const exportReport = async () => {
    if (!result) return;
    const html = renderDriftHtml(result.report, {
      reference: result.names.reference,
      current: result.names.current,
      generatedAt: new Date().toISOString(),
    });
    const saved = await platform.saveReport(html, 'drift-report.html');
    if (saved) setExported(saved);
  };
  exportRef.current = () => void exportReport();

  useEffect(() => {
    const onMenu = async (event: Event) => {
      const command = (event as CustomEvent<string>).detail;
      if (command === 'export-report') exportRef.current();
      if (command === 'import-csv' && platform.openCsv) {
        const file = await platform.openCsv();
        if (file) {
          addCsv(file);
          setCurrent({ kind: 'csv', name: file.name, text: file.text });
        }
      }
    };
    window.addEventListener('pmm-menu', onMenu);
    return () => window.removeEventListener('pmm-menu', onMenu);
  }, [addCsv]);

  const ordered = result ? columnsByDrift(result.report) : [];
  const column = ordered.find((c) => c.column === selected);

  return (
    <section className="view analysis">
      <div className="pickers">
        <SidePicker
          side="reference"
          value={reference}
          onChange={setReference}
          modes={['profile', 'window', 'csv']}
        />
        <SidePicker side="current" value={current} onChange={setCurrent} modes={['window', 'csv']} />
        <fieldset className="options">
          <legend>Options</legend>
          <label>
            Method
            <select value={method} onChange={(e) => setMethod(e.target.value)}>
              <option value="">per column (Evidently's rule)</option>
              {Object.keys(DRIFT_METHODS).map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </label>
          <label>
            Ignore columns
            <input value={ignore} placeholder="e.g. Churn" onChange={(e) => setIgnore(e.target.value)} />
          </label>
          <button
            type="button"
            className="primary"
            disabled={!ready || busy}
            onClick={() => void run()}
            data-testid="run-drift"
          >
            {busy ? 'Running…' : 'Run drift analysis'}
          </button>
        </fieldset>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <>
          <div className="result-head">
            <div>
              <h2>Drift report</h2>
              <p className="meta">
                Reference: {result.names.reference} · Current: {result.names.current} ·{' '}
                {result.millis.toFixed(0)} ms in the worker,{' '}
                <span data-testid="kernels">{kernelsLabel(result.kernels)}</span>
                {result.ignored.length > 0 && ` · left out (one value per row): ${result.ignored.join(', ')}`}
              </p>
            </div>
            <button type="button" onClick={() => void exportReport()} data-testid="export-report">
              Export HTML report
            </button>
          </div>
          {exported && <p className="note">Saved {exported}</p>}
          <SummaryCards report={result.report} />
          <div className="split">
            <div className="table-pane" data-testid="drift-table">
              <DriftTable
                rows={ordered.map((c) => ({
                  column: c.column,
                  type: c.type,
                  method: c.method,
                  score: c.score_adjusted ?? c.score,
                  threshold: c.threshold,
                  drifted: c.drifted,
                  tested: c.tested,
                  missingShare: c.missing_share,
                }))}
                selected={selected}
                onSelect={setSelected}
              />
            </div>
            <div className="chart-pane">
              {column && (
                <>
                  <h3>
                    {column.column}{' '}
                    <span className={`pmm-badge ${column.drifted ? 'drift' : 'ok'}`}>
                      {column.drifted ? 'Drift' : 'No drift'}
                    </span>
                  </h3>
                  <p className="meta">
                    {column.type} · {column.method} {column.method_kind === 'test' ? 'p-value' : 'distance'}{' '}
                    {column.score === null ? '—' : Number(column.score.toPrecision(4))} (threshold{' '}
                    {column.threshold})
                  </p>
                  <DistributionChart
                    distribution={column.distribution}
                    title={`${column.column}: reference vs current`}
                    height={300}
                  />
                </>
              )}
            </div>
          </div>
        </>
      )}
      {!result && !error && (
        <p className="empty">
          Choose a reference (a model's training profile, a window of the log or a CSV) and a current window
          or CSV, then run the analysis. Everything runs on the local copy, online or not.
        </p>
      )}
    </section>
  );
}
