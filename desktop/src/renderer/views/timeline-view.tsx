// Over time: drift score per feature, the prediction distribution, and performance where feedback exists; below,
// the centre's estimated performance, multivariate drift and detector alarms per drift run.
import { TimeSeriesChart } from '@pmm/ui';
import { useMemo, useState } from 'react';
import { kernelsLabel, MIN_LABELLED_ROWS, type SideSpec, type TimelineResult } from '../analysis/protocol';
import { useServices } from '../services';
import type { WindowSpec } from '../store/window-spec';
import { useModelFeatures } from './model-features';
import { MonitorPanel } from './monitor-panel';
import { SidePicker, WindowEditor } from './side-picker';

const MAX_FEATURE_LINES = 8;

export function TimelineView() {
  const { analysis } = useServices();
  const features = useModelFeatures();
  const [reference, setReference] = useState<SideSpec | null>(null);
  const [window, setWindow] = useState<WindowSpec>({});
  const [buckets, setBuckets] = useState(24);
  const [result, setResult] = useState<TimelineResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    if (!reference) return;
    setBusy(true);
    setError(null);
    try {
      setResult(
        await analysis.timeline({
          reference,
          current: { kind: 'window', window },
          buckets,
          ...(features ? { features } : {}),
        }),
      );
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const t = result?.timeline;
  // Features ranked by their worst bucket relative to the threshold; the top few get a line.
  const driftSeries = useMemo(() => {
    if (!t) return [];
    const ranked = Object.entries(t.drift)
      .map(([column, d]) => {
        const test = d.method !== 'wasserstein' && d.method !== 'jensenshannon' && d.method !== 'psi';
        // p-values are drawn as -log10 so that "up" always means "more drift".
        const values = d.scores.map((s) =>
          s === null ? null : test ? -Math.log10(Math.max(s, 1e-300)) : s / d.threshold,
        );
        const worst = Math.max(0, ...values.map((v) => v ?? 0));
        return { label: `${column} (${d.method})`, values, worst };
      })
      .sort((a, b) => b.worst - a.worst)
      .slice(0, MAX_FEATURE_LINES);
    const limit = {
      label: 'drift at (distance / threshold = 1)',
      values: t.x.map(() => 1),
      color: '#c44e52',
      dash: [6, 4],
    };
    return [...ranked, limit];
  }, [t]);

  const hasFeedback = t ? t.performance.labelled.some((n) => n > 0) : false;
  const enoughFeedback = t
    ? t.performance.rocAuc.some((v) => v !== null) || t.performance.accuracy.some((v) => v !== null)
    : false;

  return (
    <section className="view timeline">
      <div className="pickers">
        <SidePicker
          side="reference"
          value={reference}
          onChange={setReference}
          modes={['profile', 'window', 'csv']}
        />
        <fieldset>
          <legend>Current window</legend>
          <WindowEditor value={window} onChange={setWindow} />
          <label>
            Time buckets
            <input
              type="number"
              min={2}
              max={200}
              value={buckets}
              onChange={(e) => setBuckets(Number(e.target.value) || 24)}
            />
          </label>
          <button type="button" className="primary" disabled={!reference || busy} onClick={() => void run()}>
            {busy ? 'Computing…' : 'Compute'}
          </button>
        </fieldset>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!t && !busy && (
        <p className="empty" data-testid="timeline-hint">
          {reference
            ? 'Press Compute to chart, per time bucket of the current window, each feature’s drift against the reference, the predicted churn probability, and ROC AUC, accuracy and calibration where feedback exists.'
            : 'Choose a reference (a model’s profile, a window of the log or a CSV), then press Compute.'}
        </p>
      )}
      {t && (
        <div className="charts">
          <h3>Drift score per feature</h3>
          <p className="meta">
            Distances divided by their threshold, p-values as −log10(p): above 1 (distance) or above
            −log10(threshold) (test) means drift. Buckets with fewer than 30 predictions are left blank.
          </p>
          <TimeSeriesChart x={t.x} series={driftSeries} yLabel="drift" title="Drift score over time" />
          <TimeSeriesChart
            x={t.x}
            series={[{ label: 'drifted share of features', values: t.driftShare, color: '#c44e52' }]}
            yRange={[0, 1]}
            title="Share of drifted features"
            height={160}
          />
          <h3>Predictions</h3>
          <TimeSeriesChart
            x={t.x}
            yRange={[0, 1]}
            title="Predicted churn probability"
            series={[
              { label: 'p10', values: t.prediction.p10, color: '#9bb0d3', dash: [4, 4] },
              { label: 'median', values: t.prediction.p50, color: '#4c72b0' },
              { label: 'p90', values: t.prediction.p90, color: '#9bb0d3', dash: [4, 4] },
              { label: 'mean', values: t.prediction.mean, color: '#dd8452' },
              { label: 'share ≥ 0.5', values: t.prediction.positiveRate, color: '#55a868' },
            ]}
          />
          <TimeSeriesChart
            x={t.x}
            title="Predictions per bucket"
            series={[{ label: 'predictions', values: t.counts, color: '#8c8c8c' }]}
            yRange={[0, Math.max(1, ...t.counts) * 1.15]}
            height={140}
          />
          <h3>Performance (where feedback exists)</h3>
          <p className="meta">
            Buckets with fewer than {MIN_LABELLED_ROWS} labelled predictions are left blank (
            {t.performance.labelled.reduce((a, b) => a + b, 0).toLocaleString('en-US')} labelled in this
            window).
          </p>
          {hasFeedback && enoughFeedback ? (
            <>
              <TimeSeriesChart
                x={t.x}
                yRange={[0, 1]}
                title="ROC AUC, accuracy and Brier score"
                series={[
                  { label: 'ROC AUC', values: t.performance.rocAuc, color: '#4c72b0' },
                  { label: 'accuracy', values: t.performance.accuracy, color: '#55a868' },
                  { label: 'Brier', values: t.performance.brier, color: '#c44e52' },
                ]}
              />
              <TimeSeriesChart
                x={t.x}
                yRange={[0, 1]}
                title="Calibration: mean predicted vs observed churn"
                series={[
                  { label: 'mean predicted', values: t.performance.meanPredicted, color: '#dd8452' },
                  { label: 'observed rate', values: t.performance.observedRate, color: '#4c72b0' },
                ]}
              />
            </>
          ) : (
            <p className="empty">
              {hasFeedback
                ? `No bucket has ${MIN_LABELLED_ROWS} labelled predictions yet: fewer buckets, or a wider window, may.`
                : 'No feedback for predictions in this window yet.'}
            </p>
          )}
          <p className="meta">
            Computed in {result.millis.toFixed(0)} ms in the worker,{' '}
            <span data-testid="kernels">{kernelsLabel(result.kernels)}</span>.
          </p>
        </div>
      )}
      <MonitorPanel />
    </section>
  );
}
