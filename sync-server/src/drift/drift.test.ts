// Drift runs over ingested traffic: no drift vs. injected drift, stored and listed reports, HTML, windows, the scheduler.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredDriftReport } from '../db/drift';
import {
  addNode,
  loadArtifact,
  READ_TOKEN,
  registerBody,
  startTestServer,
  type TestServer,
} from '../test/harness';
import { HAVE_TELCO, ingestTraffic } from '../test/traffic';

type Report = StoredDriftReport & { retrain_run_id: string | null; monitor?: unknown };
type ErrorBody = { error: { code: string; message: string; details: unknown } };

let server: TestServer;
let production: string;
const T0 = Date.parse('2026-03-01T00:00:00.000Z');

describe.skipIf(!HAVE_TELCO)('drift runs', () => {
  beforeAll(async () => {
    server = await startTestServer();
    const { drift, retrain } = server.services.analysisConfig;
    server.services.configure(
      { drift: { ...drift, intervalMs: 0, minRows: 100 }, retrain: { ...retrain, policy: 'manual' } },
      () => undefined,
    );
    const artifact = await loadArtifact();
    production = artifact.card.version;
    expect((await server.call('POST', '/v1/models', { json: registerBody(artifact) })).status).toBe(201);
    const alias = await server.call('POST', `/v1/models/${production}/aliases`, {
      json: { alias: 'production' },
    });
    expect(alias.status).toBe(200);
    await addNode(server, 'edge-1');
    await addNode(server, 'edge-2');
    // 600 ordinary customers, then 600 from the drifted segment, on edge-1; 50 ordinary ones on edge-2.
    await ingestTraffic(server, {
      nodeId: 'edge-1',
      modelVersion: production,
      drift: 'none',
      total: 600,
      seed: 1,
      start: new Date(T0),
    });
    await ingestTraffic(server, {
      nodeId: 'edge-1',
      modelVersion: production,
      drift: 'sudden',
      total: 600,
      seed: 2,
      start: new Date(T0 + 3_600_000),
    });
    await ingestTraffic(server, {
      nodeId: 'edge-2',
      modelVersion: production,
      drift: 'none',
      total: 50,
      seed: 3,
      start: new Date(T0),
    });
  });
  afterAll(async () => {
    await server?.services.stopAutomation();
    await server?.close();
  });

  const run = async (body: unknown) => {
    const response = await server.call('POST', '/v1/drift/run', { json: body });
    return { status: response.status, body: (await response.json()) as Report & ErrorBody };
  };

  let calm: Report;
  let drifted: Report;

  it('finds no drift in ordinary traffic (a time window, the production model by default)', async () => {
    const { status, body } = await run({
      window: { from: new Date(T0).toISOString(), to: new Date(T0 + 3_600_000).toISOString() },
      node_id: 'edge-1',
    });
    expect(status).toBe(201);
    calm = body;
    expect(body).toMatchObject({
      model_version: production,
      node_id: 'edge-1',
      dataset_drift: false,
      retrain_run_id: null,
    });
    expect(body.window).toMatchObject({ rows: 600, last_n: 1000, trigger: 'api', node_id: 'edge-1' });
    expect(body.drift_share).toBeLessThan(0.5);
    expect((body.report as { current_rows: number }).current_rows).toBe(600);
  });

  it('finds drift in the newest predictions after the shift', async () => {
    const { status, body } = await run({ model_version: production, window: { last_n: 500 } });
    expect(status).toBe(201);
    drifted = body;
    expect(body.dataset_drift).toBe(true);
    expect(body.window).toMatchObject({ rows: 500, last_n: 500 });
    const columns = (body.report as { columns: { column: string; drifted: boolean }[] }).columns;
    // The share is the drifted columns' share, and the columns the sudden segment moves are among them.
    expect(body.drift_share).toBeCloseTo(columns.filter((c) => c.drifted).length / columns.length, 12);
    for (const moved of ['contract', 'tenure', 'monthly_charges'])
      expect(columns.find((c) => c.column === moved)?.drifted, moved).toBe(true);
  });

  it('lists reports newest first, slim unless full=1, and returns one in full', async () => {
    const list = await server.call('GET', `/v1/drift/reports?model_version=${production}`, {
      token: READ_TOKEN,
    });
    expect(list.status).toBe(200);
    const { reports } = (await list.json()) as { reports: StoredDriftReport[] };
    expect(reports.map((r) => r.id)).toEqual([drifted.id, calm.id]);
    const slim = reports[0]!.report as { columns: Record<string, unknown>[]; drift_share: number };
    expect(slim.drift_share).toBe(drifted.drift_share);
    expect(slim.columns.length).toBeGreaterThan(10);
    expect(slim.columns[0]).not.toHaveProperty('distribution');
    expect(slim.columns[0]).toHaveProperty('score');

    const full = await server.call('GET', '/v1/drift/reports?full=1&limit=1', { token: READ_TOKEN });
    const fullReports = ((await full.json()) as { reports: StoredDriftReport[] }).reports;
    expect(fullReports).toHaveLength(1);
    expect((fullReports[0]!.report as { columns: Record<string, unknown>[] }).columns[0]).toHaveProperty(
      'distribution',
    );

    const one = await server.call('GET', `/v1/drift/reports/${drifted.id}`, { token: READ_TOKEN });
    expect(one.status).toBe(200);
    // The run's answer also carries what was computed beside the report (monitor); the stored report is the rest.
    const { retrain_run_id: _, monitor: _monitor, ...stored } = drifted;
    expect(await one.json()).toEqual(stored);
    expect((await server.call('GET', '/v1/drift/reports/999999', { token: READ_TOKEN })).status).toBe(404);
  });

  it('serves the report as self-contained HTML', async () => {
    const response = await server.call('GET', `/v1/drift/reports/${drifted.id}/html`, { token: READ_TOKEN });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('Detected');
    expect(html).toContain(production);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/i);
  });

  it('refuses a window with too few predictions with 422 naming window and the count', async () => {
    const small = await run({ node_id: 'edge-2' });
    expect(small.status).toBe(422);
    expect(small.body.error.code).toBe('window_too_small');
    expect(small.body.error.message).toMatch(/^window: 50 prediction\(s\) found, at least 100 needed/);
    expect(small.body.error.details).toEqual([{ path: 'window', message: expect.stringMatching(/50/) }]);
    const empty = await run({ window: { from: '2030-01-01T00:00:00Z' } });
    expect(empty.status).toBe(422);
    expect(empty.body.error.message).toMatch(/^window: 0 prediction/);
  });

  it('validates the request and the model version', async () => {
    expect((await run({ window: { last_n: 0 } })).status).toBe(422);
    expect((await run({ window: { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' } })).status).toBe(
      422,
    );
    expect((await run({ surprise: 1 })).status).toBe(422);
    const unknown = await run({ model_version: 'churn-nope' });
    expect(unknown.status).toBe(404);
    const forbidden = await server.call('POST', '/v1/drift/run', { token: READ_TOKEN, json: {} });
    expect(forbidden.status).toBe(403);
  });

  it('scheduler: runs when new predictions arrived, skips otherwise', async () => {
    const scheduler = server.services.automation.scheduler;
    const first = await scheduler.tick();
    expect(first.ran).toBe(true);
    if (first.ran) {
      expect(first.report.window).toMatchObject({ trigger: 'schedule', rows: 1000, last_n: 1000 });
    }
    expect(await scheduler.tick()).toEqual({ ran: false, reason: 'no new predictions' });
    await ingestTraffic(server, {
      nodeId: 'edge-2',
      modelVersion: production,
      drift: 'sudden',
      total: 10,
      seed: 9,
      start: new Date(T0 + 7_200_000),
    });
    const again = await scheduler.tick();
    expect(again.ran).toBe(true);
  });

  it('scheduler: ticks on its interval without overlapping and stops cleanly', async () => {
    const { drift, retrain } = server.services.analysisConfig;
    server.services.configure({ drift: { ...drift, intervalMs: 5 }, retrain }, () => undefined);
    const { DriftScheduler } = await import('./scheduler');
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const scheduler = new DriftScheduler({
      ready: () => server.services.require(),
      options: () => ({ ...drift, intervalMs: 5 }),
      run: async (version, lastN, seenSeq) => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        await new Promise((r) => setTimeout(r, 30));
        active--;
        // A failing run is logged and the schedule goes on.
        if (runs === 2) throw new Error('boom');
        const request = { model_version: version, window: { last_n: lastN } };
        return (await server.services.automation.runDrift(request, 'schedule', { seen_seq: seenSeq })).report;
      },
      log: () => undefined,
    });
    // New predictions before every tick, so each one runs.
    const feeder = setInterval(() => {
      void ingestTraffic(server, {
        nodeId: 'edge-2',
        modelVersion: production,
        drift: 'none',
        total: 1,
        seed: runs,
        start: new Date(T0),
      });
    }, 10);
    scheduler.start();
    // Each run also estimates performance and multivariate drift beside its report: wait for three (generously).
    const deadline = Date.now() + 30_000;
    while (runs < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    clearInterval(feeder);
    await scheduler.stop();
    const after = runs;
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBe(after);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(maxActive).toBe(1);
    server.services.configure({ drift, retrain }, () => undefined);
  });

  it('exports drift metrics', async () => {
    const text = await (await server.call('GET', '/metrics')).text();
    expect(text).toMatch(/^pmm_drift_reports_total\{dataset_drift="true"\} [1-9]\d*$/m);
    expect(text).toMatch(/^pmm_drift_reports_total\{dataset_drift="false"\} [1-9]\d*$/m);
    expect(text).toMatch(new RegExp(`^pmm_drift_share\\{model_version="${production}"\\} 0?\\.?\\d`, 'm'));
  });
});
