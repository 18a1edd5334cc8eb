// Retraining end to end on the Telco data: drift starts a run in a worker thread, the new version becomes the
// challenger with both models scored on the same holdout; manual runs, 409 while running, failures, promotion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetrainOptions } from '../config';
import type { RetrainRun } from '../db/retrain';
import {
  addNode,
  artifactVersion,
  loadArtifact,
  READ_TOKEN,
  registerBody,
  startTestServer,
  type TestServer,
} from '../test/harness';
import { HAVE_TELCO, ingestTraffic, TELCO_CSV } from '../test/traffic';
import { Retrainer } from './retrainer';

type Metrics = { roc_auc: number; rows: number; accuracy: number };
type Details = {
  rows: { reference: number; labelled: number; train: number; holdout: number };
  metrics: { challenger: Metrics; production: Metrics | null; labelled_holdout: unknown };
  seconds: number;
  production_version: string | null;
  promotion: { promoted: boolean; reason?: string };
  error?: string;
  reason: string | null;
};

let server: TestServer;
let production: string;
const T0 = Date.parse('2026-04-01T00:00:00.000Z');

const getRun = async (id: string) => {
  const response = await server.call('GET', `/v1/retrain/runs/${id}`, { token: READ_TOKEN });
  expect(response.status).toBe(200);
  return (await response.json()) as RetrainRun & { details: Details };
};

const configure = (retrain: Partial<RetrainOptions> = {}) => {
  const current = server.services.analysisConfig;
  server.services.configure(
    {
      drift: { ...current.drift, intervalMs: 0, minRows: 100 },
      retrain: {
        ...current.retrain,
        trainingData: TELCO_CSV,
        policy: 'on_drift',
        autoPromote: false,
        cooldownMs: 0,
        ...retrain,
      },
    },
    () => undefined,
  );
};

describe.skipIf(!HAVE_TELCO)('retraining', () => {
  beforeAll(async () => {
    server = await startTestServer();
    configure();
    const artifact = await loadArtifact();
    production = artifact.card.version;
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

  it('records a run without training data as failed, with the reason', async () => {
    configure({ trainingData: '/nonexistent/telco.csv' });
    const response = await server.call('POST', '/v1/retrain', { json: { reason: 'no data' } });
    expect(response.status).toBe(202);
    const { id, status } = (await response.json()) as { id: string; status: string };
    expect(status).toBe('running');
    expect(response.headers.get('location')).toBe(`/v1/retrain/runs/${id}`);
    await server.services.automation.retrainer.whenIdle();
    const run = await getRun(id);
    expect(run).toMatchObject({ status: 'failed', trigger: 'manual', challenger_version: null });
    expect(run.details.error).toMatch(/^training data not found: \/nonexistent\/telco\.csv/);
    expect(run.details.reason).toBe('no data');
    expect(run.finished_at).not.toBeNull();
    configure();
  });

  let runId: string;
  let challenger: string;

  it('drift starts a run; the API answers while it trains; a second run is refused with 409', async () => {
    // Drifted traffic with its true outcomes, so the labelled predictions join the training data.
    await ingestTraffic(server, {
      nodeId: 'edge-1',
      modelVersion: production,
      drift: 'sudden',
      total: 800,
      seed: 5,
      start: new Date(T0),
      feedback: true,
    });
    const drift = await server.call('POST', '/v1/drift/run', { json: {} });
    expect(drift.status).toBe(201);
    const report = (await drift.json()) as {
      id: string;
      dataset_drift: boolean;
      retrain_run_id: string | null;
    };
    expect(report.dataset_drift).toBe(true);
    expect(report.retrain_run_id).not.toBeNull();
    runId = report.retrain_run_id!;

    // The API answers while the worker trains: this GET completes with the run still in progress.
    const during = await getRun(runId);
    expect(during.status).toBe('running');
    expect(during.trigger).toBe('drift');
    expect(during.details.production_version).toBe(production);
    const health = await server.call('GET', '/v1/models', { token: READ_TOKEN });
    expect(health.status).toBe(200);

    const conflict = await server.call('POST', '/v1/retrain', { json: {} });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe('retrain_running');
    // Another drifted report while the run is in progress starts nothing.
    const again = await server.call('POST', '/v1/drift/run', { json: {} });
    expect(((await again.json()) as { retrain_run_id: string | null }).retrain_run_id).toBeNull();

    await server.services.automation.retrainer.whenIdle();
    expect((await getRun(runId)).status).toBe('succeeded');
  });

  it('registers the challenger with its metrics next to production’s on the same holdout', async () => {
    const run = await getRun(runId);
    expect(run.challenger_version).toMatch(/^churn-/);
    challenger = run.challenger_version!;
    expect(challenger).not.toBe(production);
    const { rows, metrics } = run.details;
    expect(rows.labelled).toBe(800);
    expect(rows.reference).toBe(7043);
    expect(rows.train + rows.holdout).toBe(7843);
    expect(metrics.challenger.rows).toBe(rows.holdout);
    expect(metrics.production!.rows).toBe(rows.holdout);
    expect(metrics.challenger.roc_auc).toBeGreaterThan(0.75);
    expect(metrics.production!.roc_auc).toBeGreaterThan(0.75);
    expect(metrics.labelled_holdout).not.toBeNull();
    expect(run.details.seconds).toBeGreaterThan(0);
    expect(run.details.promotion).toMatchObject({ promoted: false });

    const model = await server.call('GET', `/v1/models/${challenger}`, { token: READ_TOKEN });
    expect(model.status).toBe(200);
    expect(model.headers.get('pmm-aliases')).toBe('challenger');
    const card = (await model.json()) as { comparison?: { against_version: string; holdout_rows: number } };
    expect(card).toMatchObject({ version: challenger, parent_version: production });
    expect(card.comparison).toMatchObject({ against_version: production, holdout_rows: rows.holdout });

    const aliases = (await (await server.call('GET', '/v1/aliases')).json()) as {
      aliases: { alias: string; version: string }[];
    };
    expect(Object.fromEntries(aliases.aliases.map((a) => [a.alias, a.version]))).toEqual({
      challenger,
      production,
    });
    const history = (await (await server.call('GET', '/v1/aliases/history?alias=challenger')).json()) as {
      history: { actor: string; reason: string; to_version: string; from_version: string | null }[];
    };
    expect(history.history[0]).toMatchObject({
      actor: 'retrainer',
      to_version: challenger,
      from_version: null,
    });
    expect(history.history[0]!.reason).toMatch(
      new RegExp(`^retrain run ${runId} \\(drift: drift report \\d+`),
    );
  });

  it('does not retrain again on persistent drift within the cooldown', async () => {
    configure({ cooldownMs: 3_600_000 });
    const again = await server.call('POST', '/v1/drift/run', { json: {} });
    const report = (await again.json()) as { dataset_drift: boolean; retrain_run_id: string | null };
    expect(report.dataset_drift).toBe(true);
    expect(report.retrain_run_id).toBeNull();
    configure();
  });

  it('lists runs newest first and exports retraining metrics', async () => {
    const list = await server.call('GET', '/v1/retrain/runs', { token: READ_TOKEN });
    const { runs } = (await list.json()) as { runs: RetrainRun[] };
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'failed']);
    expect((await server.call('GET', '/v1/retrain/runs/424242', { token: READ_TOKEN })).status).toBe(404);
    const text = await (await server.call('GET', '/metrics')).text();
    expect(text).toMatch(/^pmm_retrain_runs_total\{status="succeeded"\} 1$/m);
    expect(text).toMatch(/^pmm_retrain_runs_total\{status="failed"\} 1$/m);
    expect(text).toMatch(/^pmm_retrain_duration_seconds_count 2$/m);
  });

  it('promotes automatically only when enabled and the challenger is at least as good', async () => {
    configure({ autoPromote: true, policy: 'manual' });
    const response = await server.call('POST', '/v1/retrain');
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    await server.services.automation.retrainer.whenIdle();
    const run = await getRun(id);
    expect(run.status).toBe('succeeded');
    const { challenger: c, production: p } = run.details.metrics;
    const aliases = (await (await server.call('GET', '/v1/aliases')).json()) as {
      aliases: { alias: string; version: string }[];
    };
    const current = Object.fromEntries(aliases.aliases.map((a) => [a.alias, a.version]));
    if (c.roc_auc >= p!.roc_auc) {
      expect(run.details.promotion).toEqual({ promoted: true, from: production });
      expect(current.production).toBe(run.challenger_version);
      // Promoted, it is no longer the challenger.
      expect(current.challenger).toBeUndefined();
      const history = (await (await server.call('GET', '/v1/aliases/history?alias=production')).json()) as {
        history: { actor: string; reason: string }[];
      };
      expect(history.history[0]).toMatchObject({ actor: 'retrainer' });
      expect(history.history[0]!.reason).toMatch(/auto-promoted/);
    } else {
      expect(run.details.promotion.promoted).toBe(false);
      expect(current.production).toBe(production);
      expect(current.challenger).toBe(run.challenger_version);
    }
  });

  it('promotes a better challenger to production (alias history by the retrainer), never a worse one', async () => {
    configure({ autoPromote: true, policy: 'manual' });
    const before = Object.fromEntries(
      (
        (await (await server.call('GET', '/v1/aliases')).json()) as {
          aliases: { alias: string; version: string }[];
        }
      ).aliases.map((a) => [a.alias, a.version]),
    );
    const fake = (version: string, challengerAuc: number) => {
      const retrainer = new Retrainer({
        ready: () => server.services.require(),
        options: () => server.services.analysisConfig.retrain,
        log: () => undefined,
        startJob: () => ({
          cancel: async () => undefined,
          result: artifactVersion(version, before.production!).then((a) => ({
            card: a.card,
            onnx: a.onnx,
            rows: {
              reference: 10,
              reference_skipped: 0,
              labelled: 0,
              labelled_skipped: 0,
              train: 8,
              holdout: 2,
            },
            metrics: {
              challenger: { ...a.card.metrics, roc_auc: challengerAuc },
              production: { ...a.card.metrics, roc_auc: 0.8 },
              labelled_holdout: null,
            },
            seconds: 0.1,
          })),
        }),
      });
      return retrainer;
    };
    const worse = fake('churn-fake-worse', 0.79);
    const worseRun = await worse.start('manual');
    await worse.whenIdle();
    expect((await getRun(worseRun.id)).details.promotion).toEqual({
      promoted: false,
      reason: 'challenger ROC AUC 0.7900 < production 0.8000',
    });
    const better = fake('churn-fake-better', 0.8);
    const betterRun = await better.start('manual', { reason: 'fake' });
    await better.whenIdle();
    const run = await getRun(betterRun.id);
    expect(run).toMatchObject({ status: 'succeeded', challenger_version: 'churn-fake-better' });
    expect(run.details.promotion).toEqual({ promoted: true, from: before.production });
    const history = (await (await server.call('GET', '/v1/aliases/history?alias=production')).json()) as {
      history: { actor: string; reason: string; from_version: string; to_version: string }[];
    };
    expect(history.history[0]).toMatchObject({
      actor: 'retrainer',
      from_version: before.production,
      to_version: 'churn-fake-better',
    });
    expect(history.history[0]!.reason).toBe(
      `retrain run ${betterRun.id} (manual: fake): auto-promoted, ROC AUC 0.8000 >= 0.8000`,
    );
    // The promoted challenger is no longer the challenger: its alias is cleared, and that is in the history.
    const challenger = (await (await server.call('GET', '/v1/aliases/history?alias=challenger')).json()) as {
      history: { actor: string; from_version: string; to_version: string | null }[];
    };
    expect(challenger.history[0]).toMatchObject({
      actor: 'retrainer',
      from_version: 'churn-fake-better',
      to_version: null,
    });
    const aliases = (await (await server.call('GET', '/v1/aliases')).json()) as {
      aliases: { alias: string }[];
    };
    expect(aliases.aliases.map((a) => a.alias)).not.toContain('challenger');
  });

  it('schedule policy: runs on its interval, one at a time; abandoned runs are failed at start', async () => {
    const { insertRun } = await import('../db/retrain');
    const abandoned = await insertRun(server.database.db, 'manual', { reason: 'left behind' });
    let active = 0;
    let maxActive = 0;
    const retrainer = new Retrainer({
      ready: () => server.services.require(),
      options: () => ({ ...server.services.analysisConfig.retrain, policy: 'schedule', intervalMs: 20 }),
      log: () => undefined,
      startJob: () => {
        active++;
        maxActive = Math.max(maxActive, active);
        return {
          cancel: async () => undefined,
          result: new Promise((_, reject) =>
            setTimeout(() => {
              active--;
              reject(new Error('fake failure'));
            }, 50),
          ),
        };
      },
    });
    await retrainer.startBackground();
    expect((await getRun(abandoned.id)).details.error).toBe('the server stopped during the run');
    // Until two scheduled runs finished (each takes 50 ms plus its start on a loaded machine; a generous deadline).
    const finished = async () =>
      (
        (await (await server.call('GET', '/v1/retrain/runs?limit=100')).json()) as { runs: RetrainRun[] }
      ).runs.filter((r) => r.trigger === 'schedule' && r.status === 'failed').length;
    const deadline = Date.now() + 20_000;
    while ((await finished()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await retrainer.close();
    expect(maxActive).toBe(1);
    const { runs } = (await (await server.call('GET', '/v1/retrain/runs?limit=100')).json()) as {
      runs: RetrainRun[];
    };
    const scheduled = runs.filter((r) => r.trigger === 'schedule');
    expect(scheduled.length).toBeGreaterThanOrEqual(2);
    expect(scheduled.filter((r) => r.details.error === 'fake failure').length).toBeGreaterThanOrEqual(2);
    // A run that close() caught while it started is failed with the shutdown as its reason.
    for (const r of scheduled) {
      expect(r.status).toBe('failed');
      expect(['fake failure', 'the server shut down during the run']).toContain(r.details.error);
    }
  });
});
