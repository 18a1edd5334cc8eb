// Beside each drift run: CBPE per window (against core's own estimate on the same rows), late labels refilled,
// multivariate drift (against core run directly), detector state kept between runs and its alarms, the two
// retraining policies, and the new shapes.
import { randomUUID } from 'node:crypto';
import { defaultChunks } from '@pmm/core/chunk';
import { createDetector, detectAll } from '@pmm/core/detect';
import { estimateCbpe, fitCbpe, rocAuc } from '@pmm/core/estimate';
import { type ModelCard, modelSchemaOf, mulberry32 } from '@pmm/core/model';
import {
  analysisDrift,
  fitReconstruction,
  referenceDrift,
  referenceDriftFromErrors,
  tableFromRecords,
} from '@pmm/core/multivariate';
import { createTraffic } from '@pmm/core/simulate';
import type { IngestPredictionRow } from '@pmm/core/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetrainOptions } from '../config';
import { getDetectorState, listDetectorAlarms, listMonitorWindows, type MonitorWindow } from '../db/monitor';
import type { RetrainRun } from '../db/retrain';
import type { DriftRunResult } from '../drift/run';
import {
  addNode,
  loadArtifact,
  READ_TOKEN,
  registerBody,
  startTestServer,
  type TestServer,
} from '../test/harness';
import { HAVE_TELCO, telcoSource } from '../test/traffic';
import { holdoutData, windowData } from './performance';
import type { MonitorOutcome } from './window';

type Run = DriftRunResult & { retrain_run_id: string | null };
type Features = Record<string, string | number | null>;
interface Logged {
  id: string;
  created_at: string;
  features: Features;
  probability: number;
  outcome: number;
}

const sqlDeleteAlarms = sql`delete from detector_alarms`;

let server: TestServer;
let card: ModelCard;
let production: string;
const T0 = Date.parse('2026-05-01T00:00:00.000Z');
const HOUR = 3_600_000;
const batches: Logged[][] = [];

/** mulberry32 (core's seeded generator). */
const rng = mulberry32;

/**
 * `n` simulated customers one second apart from `start`: features from core's simulator; a score drawn by `score`
 * and an outcome drawn from it (calibrated scores, CBPE's assumption).
 */
function customers(n: number, seed: number, start: number, score: (u: number) => number): Logged[] {
  const next = createTraffic(telcoSource(), { drift: 'none', total: n, seed });
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const probability = Math.min(1, Math.max(0, score(r())));
    return {
      id: randomUUID(),
      created_at: new Date(start + i * 1000).toISOString(),
      features: next(i).features as Features,
      probability,
      outcome: r() < probability ? 1 : 0,
    };
  });
}

async function ingest(rows: Logged[], feedback: boolean) {
  for (let i = 0; i < rows.length; i += 1000) {
    const part = rows.slice(i, i + 1000);
    const body = feedback
      ? part.map((r) => ({ prediction_id: r.id, outcome: r.outcome, created_at: r.created_at }))
      : part.map(
          (r): IngestPredictionRow => ({
            prediction_id: r.id,
            created_at: r.created_at,
            node_id: 'edge-1',
            model_version: production,
            features: r.features,
            probability: r.probability,
            label: r.probability >= 0.5 ? 1 : 0,
          }),
        );
    const response = await server.call('POST', `/v1/ingest/${feedback ? 'feedback' : 'predictions'}`, {
      json: { node_id: 'edge-1', rows: body },
    });
    const result = (await response.json()) as { accepted: number };
    expect(response.status).toBe(200);
    expect(result.accepted, JSON.stringify(result).slice(0, 400)).toBe(part.length);
  }
}

const configure = (retrain: Partial<RetrainOptions> = {}) => {
  const current = server.services.analysisConfig;
  server.services.configure(
    {
      drift: { ...current.drift, intervalMs: 0, minRows: 100, window: 1000, detector: 'adwin' },
      retrain: {
        ...current.retrain,
        policy: 'manual',
        trainingData: '/nonexistent/training.csv',
        cooldownMs: 0,
        ...retrain,
      },
    },
    () => undefined,
  );
};

const run = async (from: number, to: number): Promise<Run> => {
  const response = await server.call('POST', '/v1/drift/run', {
    json: { window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Run;
};

const monitorOf = (r: Run) => {
  expect(r.monitor).not.toBeNull();
  expect(r.monitor).not.toHaveProperty('error');
  return (r.monitor as { window: MonitorWindow }).window;
};

/** Core's CBPE on the same rows, directly: the holdout fit, the window as one chunk. */
function coreEstimate(rows: Logged[], withTargets: boolean) {
  const fit = fitCbpe(holdoutData(card)!, { chunker: defaultChunks });
  const data = windowData(
    rows.map((r) => ({ probability: r.probability, outcome: withTargets ? r.outcome : null })),
  );
  const [chunk] = estimateCbpe(fit, data, (n) => [{ key: 'w', start_index: 0, end_index: n - 1 }]);
  return chunk!;
}

const kinds = () => modelSchemaOf(card).features.map((f) => ({ name: f.name, kind: f.kind }));

function coreMultivariate(reference: Logged[], window: Logged[]) {
  const ref = tableFromRecords(
    reference.map((r) => r.features),
    kinds(),
  );
  const stored = card.multivariate;
  // A card with its fit and its training rows' errors: the reference is the training data.
  const drift = stored?.reference_errors
    ? referenceDriftFromErrors(stored, stored.reference_errors, defaultChunks(stored.reference_errors.length))
    : referenceDrift(fitReconstruction(ref), ref, defaultChunks(ref.rows));
  const table = tableFromRecords(
    window.map((r) => r.features),
    kinds(),
  );
  return analysisDrift(drift, table, [{ key: 'w', start_index: 0, end_index: table.rows - 1 }])[0]!;
}

type Metric = {
  estimate: number;
  realized: number | null;
  lower_band: number;
  upper_band: number;
  alert: boolean;
};
const metricsOf = (w: MonitorWindow) => w.performance.metrics as Record<string, Metric>;

describe.skipIf(!HAVE_TELCO)('monitoring beside drift runs', () => {
  beforeAll(async () => {
    server = await startTestServer();
    configure();
    const artifact = await loadArtifact();
    card = artifact.card;
    production = card.version;
    expect(card.reference_predictions?.scores.length).toBeGreaterThan(100);
    expect((await server.call('POST', '/v1/models', { json: registerBody(artifact) })).status).toBe(201);
    const alias = await server.call('POST', `/v1/models/${production}/aliases`, {
      json: { alias: 'production' },
    });
    expect(alias.status).toBe(200);
    await addNode(server, 'edge-1');
  });
  afterAll(async () => {
    await server?.services.stopAutomation();
    await server?.close();
  });

  it('estimates performance per window before any label, as core does on the same rows', async () => {
    // Hour 0: scores spread over [0, 1] (a model that separates well), no feedback yet.
    batches[0] = customers(600, 11, T0, (u) => u ** 2);
    await ingest(batches[0], false);
    const report = await run(T0, T0 + HOUR);
    const window = monitorOf(report);
    expect(window).toMatchObject({
      drift_report_id: report.id,
      model_version: production,
      rows: 600,
      labelled: 0,
    });
    expect(window.performance.status).toBe('ok');
    const core = coreEstimate(batches[0], false);
    const metrics = metricsOf(window);
    for (const [name, m] of Object.entries(core.metrics)) {
      expect(metrics[name]!.estimate, name).toBeCloseTo(m.estimate, 12);
      expect(metrics[name]!.lower_band, name).toBeCloseTo(m.lower_band, 12);
      expect(metrics[name]!.upper_band, name).toBeCloseTo(m.upper_band, 12);
      expect(metrics[name]!.alert, name).toBe(m.alert);
      expect(metrics[name]!.realized, name).toBeNull();
    }
    expect(metrics.roc_auc!.estimate).toBeGreaterThan(0.6);
  });

  it('refills realized values on the next run once the labels arrived', async () => {
    await ingest(batches[0]!, true);
    batches[1] = customers(600, 12, T0 + HOUR, (u) => u ** 2);
    await ingest(batches[1], false);
    await ingest(batches[1], true);
    const report = await run(T0 + HOUR, T0 + 2 * HOUR);
    expect(monitorOf(report).labelled).toBe(600);
    expect((report.monitor as MonitorOutcome).refilled.length).toBe(1);
    const [, first] = await listMonitorWindows(server.database.db, { modelVersion: production, limit: 10 });
    expect(first!.labelled).toBe(600);
    const core = coreEstimate(batches[0]!, true);
    const metrics = metricsOf(first!);
    for (const [name, m] of Object.entries(core.metrics)) {
      expect(metrics[name]!.realized, name).toBeCloseTo(m.realized, 12);
      expect(metrics[name]!.estimate, name).toBeCloseTo(m.estimate, 12);
    }
    const scores = Float64Array.from(batches[0]!, (r) => r.probability);
    const targets = Float64Array.from(batches[0]!, (r) => r.outcome);
    expect(metrics.roc_auc!.realized).toBeCloseTo(rocAuc(targets, scores), 12);
  });

  it("stores the reconstruction error of each window against the model's reference, as core computes it", async () => {
    const [latest] = await listMonitorWindows(server.database.db, { modelVersion: production, limit: 1 });
    const m = latest!.multivariate as Record<string, number | boolean | null | string>;
    expect(m.status).toBe('ok');
    expect(m.model_source).toBe(
      card.multivariate?.reference_errors ? 'model.json (training data)' : 'reference period',
    );
    // Without a fit in model.json, the reference period: the version's first 1000 predictions (all of hour 0 and the start of hour 1).
    const reference = [...batches[0]!, ...batches[1]!].slice(0, 1000);
    const core = coreMultivariate(reference, batches[1]!);
    expect(m.value as number).toBeCloseTo(core.value, 12);
    expect(m.upper_threshold as number).toBeCloseTo(core.upper_threshold!, 12);
    expect(m.alert).toBe(core.alert);
    expect(m.rows).toBe(600);
  });

  it('keeps detector state between runs: the alarms are those of one pass over the whole stream', async () => {
    const score = await getDetectorState(server.database.db, production, 'score');
    expect(score).toMatchObject({ method: 'adwin', count: 1200 });
    const error = await getDetectorState(server.database.db, production, 'error');
    expect(error).toMatchObject({ method: 'adwin', count: 1200 });
    // Hour 2: the scores jump (a shift ADWIN must catch in the score stream).
    batches[2] = customers(600, 13, T0 + 2 * HOUR, (u) => 0.85 + 0.15 * u);
    await ingest(batches[2], false);
    const report = await run(T0 + 2 * HOUR, T0 + 3 * HOUR);
    const alarms = (report.monitor as MonitorOutcome).alarms;
    expect(alarms.some((a) => a.stream === 'score' && a.position >= 1200)).toBe(true);
    const stored = await listDetectorAlarms(server.database.db, { modelVersion: production, limit: 1000 });
    const onePass = detectAll(
      createDetector('adwin'),
      [...batches[0]!, ...batches[1]!, ...batches[2]!].map((r) => r.probability),
    );
    expect(
      stored
        .filter((a) => a.stream === 'score')
        .map((a) => a.position)
        .sort((a, b) => a - b),
    ).toEqual(onePass);
    expect((await getDetectorState(server.database.db, production, 'score'))!.count).toBe(1800);
    // The alarms are append-only.
    const refused = (await server.database.db.execute(sqlDeleteAlarms).then(
      () => null,
      (e: Error) => e,
    )) as (Error & { cause?: Error }) | null;
    expect(refused?.cause?.message ?? refused?.message).toMatch(/detector_alarms is append-only/);
  });

  it('serves monitor_windows and detector_alarms as shapes', async () => {
    for (const table of ['monitor_windows', 'detector_alarms']) {
      const response = await server.call('GET', `/v1/shape?table=${table}&offset=-1`, { token: READ_TOKEN });
      expect(response.status, table).toBe(200);
      const messages = (await response.json()) as { value?: Record<string, unknown> }[];
      const values = messages.filter((m) => m.value).map((m) => m.value!);
      expect(values.length, table).toBeGreaterThan(0);
      if (table === 'monitor_windows') {
        expect(values.length).toBe(3);
        expect(values[0]).toHaveProperty('performance');
        expect(values[0]).toHaveProperty('multivariate');
      } else expect(values[0]).toMatchObject({ model_version: production, method: 'adwin' });
    }
  });

  it('reads the windows and alarms over HTTP too', async () => {
    const list = await server.call('GET', `/v1/monitor/windows?model_version=${production}&limit=2`, {
      token: READ_TOKEN,
    });
    expect(list.status).toBe(200);
    const { windows } = (await list.json()) as { windows: MonitorWindow[] };
    expect(windows).toEqual(
      await listMonitorWindows(server.database.db, { modelVersion: production, limit: 2 }),
    );
    const one = await server.call('GET', `/v1/drift/reports/${windows[0]!.drift_report_id}/monitor`, {
      token: READ_TOKEN,
    });
    expect(await one.json()).toEqual(windows[0]);
    expect((await server.call('GET', '/v1/drift/reports/999999/monitor', { token: READ_TOKEN })).status).toBe(
      404,
    );
    const alarms = await server.call('GET', '/v1/monitor/alarms?limit=1000', { token: READ_TOKEN });
    expect(((await alarms.json()) as { alarms: unknown[] }).alarms).toEqual(
      await listDetectorAlarms(server.database.db, { limit: 1000 }),
    );
    expect((await server.call('GET', '/v1/monitor/windows?limit=0', { token: READ_TOKEN })).status).toBe(422);
  });

  const getRun = async (id: string) => {
    const response = await server.call('GET', `/v1/retrain/runs/${id}`, { token: READ_TOKEN });
    expect(response.status).toBe(200);
    return (await response.json()) as RetrainRun;
  };

  it('policy on_estimated_drop: an estimated ROC AUC below its lower threshold starts a run', async () => {
    // Hour 3: every score near 0.5, the model no longer sure of anyone; the estimate falls.
    batches[3] = customers(600, 14, T0 + 3 * HOUR, (u) => 0.45 + 0.1 * u);
    await ingest(batches[3], false);
    configure({ policy: 'on_drift' });
    const untouched = await run(T0 + 3 * HOUR, T0 + 4 * HOUR);
    const auc = metricsOf(monitorOf(untouched)).roc_auc!;
    expect(auc.alert).toBe(true);
    expect(auc.estimate).toBeLessThan(0.6);
    expect(untouched.dataset_drift).toBe(false);
    expect(untouched.retrain_run_id).toBeNull();

    configure({ policy: ['on_drift', 'on_estimated_drop'] });
    const triggered = await run(T0 + 3 * HOUR, T0 + 4 * HOUR);
    expect(triggered.retrain_run_id).not.toBeNull();
    await server.services.automation.retrainer.whenIdle();
    const retrain = await getRun(triggered.retrain_run_id!);
    expect(retrain.trigger).toBe('estimated_drop');
    expect((retrain.details as { reason: string }).reason).toMatch(/estimated ROC AUC 0\.\d+ below/);
  });

  it('policy on_multivariate: broken relations between columns (no column moved) start a run', async () => {
    // Hour 4: each column shuffled on its own across rows: every column keeps its distribution, the relations go.
    const base = customers(600, 15, T0 + 4 * HOUR, (u) => u ** 2);
    const r = rng(99);
    const names = kinds().map((k) => k.name);
    const order = () => {
      const idx = base.map((_, i) => i);
      for (let i = idx.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      }
      return idx;
    };
    const perms = Object.fromEntries(names.map((n) => [n, order()]));
    batches[4] = base.map((row, i) => ({
      ...row,
      features: Object.fromEntries(names.map((n) => [n, base[perms[n]![i]!]!.features[n] ?? null])),
    }));
    await ingest(batches[4], false);
    configure({ policy: 'on_multivariate' });
    const report = await run(T0 + 4 * HOUR, T0 + 5 * HOUR);
    const m = monitorOf(report).multivariate as { alert: boolean; value: number; upper_threshold: number };
    expect(m.alert).toBe(true);
    expect(m.value).toBeGreaterThan(m.upper_threshold);
    expect(report.retrain_run_id).not.toBeNull();
    await server.services.automation.retrainer.whenIdle();
    expect((await getRun(report.retrain_run_id!)).trigger).toBe('multivariate');
  });
});
