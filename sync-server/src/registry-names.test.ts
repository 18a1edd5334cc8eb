// Several named models: versions, aliases and history per name, served models, pushes that carry the name,
// ingest checked against each version's own schema, drift per name, and retraining only for models pmm trained.
//
// The edge is an in-test HTTP receiver (as in push.test.ts): what is checked is the body the centre sends to
// `POST {edge}/admin/models`; the real edge's handling of it is edge-api's own test.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ModelCard } from '@pmm/core/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORTED_RETRAIN_MESSAGE } from './retrain/scope';
import {
  addNode,
  artifactVersion,
  predictionRow,
  READ_TOKEN,
  registerBody,
  startTestServer,
  type TestServer,
} from './test/harness';
import { asImported, fraudModel, type OtherModel } from './test/other-model';

interface Received {
  name: string;
  model: ModelCard;
}

let server: TestServer;
let fraud: OtherModel;
let edge: { url: string; received: Received[]; close(): Promise<void> };
let ingestToken: string;
const CHURN = 'churn-names-1';
let fraudV1: string;
let fraudV2: string;

async function startEdge(): Promise<typeof edge> {
  const received: Received[] = [];
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString();
  };
  const http: Server = createServer(async (req, res) => {
    const body = JSON.parse(await read(req)) as Received;
    received.push(body);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => http.close(() => resolve())),
  };
}

const json = async <T>(response: Response | Promise<Response>): Promise<T> => (await response).json() as T;

beforeAll(async () => {
  [server, fraud, edge] = await Promise.all([startTestServer(), fraudModel(), startEdge()]);
  fraudV1 = fraud.card.version;
  fraudV2 = `${fraudV1}-b`;
  expect(
    (await server.call('POST', '/v1/models', { json: registerBody(await artifactVersion(CHURN)) })).status,
  ).toBe(201);
  ingestToken = await addNode(server, 'edge-names', edge.url);
  // Drift reports here must not start retraining runs (the last test turns the policy on).
  const { drift, retrain } = server.services.analysisConfig;
  server.services.configure({ drift, retrain: { ...retrain, policy: 'manual' } }, () => undefined);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await edge?.close();
});

describe('registry by name', () => {
  it('registers under a name (JSON field or multipart field), churn by default; a bad name is a 400 naming it', async () => {
    const registered = await server.call('POST', '/v1/models', {
      json: { name: 'fraud', ...registerBody(fraud) },
    });
    expect(registered.status).toBe(201);
    expect(await registered.json()).toMatchObject({ name: 'fraud', version: fraudV1 });

    const form = new FormData();
    form.set('name', 'fraud');
    form.set('model.json', new File([JSON.stringify({ ...fraud.card, version: fraudV2 })], 'model.json'));
    form.set('model.onnx', new File([fraud.onnx as Uint8Array<ArrayBuffer>], 'model.onnx'));
    const multipart = await server.call('POST', '/v1/models', { body: form });
    expect(multipart.status).toBe(201);
    expect(await multipart.json()).toMatchObject({ name: 'fraud', version: fraudV2 });

    const bad = await server.call('POST', '/v1/models', {
      json: { name: 'Fraud Model', ...registerBody(await artifactVersion('churn-names-bad')) },
    });
    expect(bad.status).toBe(400);
    const body = await json<{ error: { code: string; details: { path: string }[] } }>(bad);
    expect(body.error.code).toBe('invalid_name');
    expect(body.error.details[0]!.path).toBe('name');

    const { models } = await json<{ models: { name: string; version: string }[] }>(
      server.call('GET', '/v1/models?name=fraud', { token: READ_TOKEN }),
    );
    expect(models.map((m) => m.version).sort()).toEqual([fraudV1, fraudV2].sort());
    const churn = await json<{ models: { name: string; version: string }[] }>(
      server.call('GET', '/v1/models?name=churn'),
    );
    expect(churn.models.map((m) => [m.name, m.version])).toEqual([['churn', CHURN]]);
  });

  it('keeps aliases per name: production of fraud and of churn are two aliases, each with its history', async () => {
    const set = (name: string, body: Record<string, unknown>) =>
      server.call('POST', `/v1/registry/${name}/aliases`, { json: body });
    const fraudProduction = await set('fraud', { alias: 'production', version: fraudV1, reason: 'first' });
    expect(fraudProduction.status).toBe(200);
    expect(await fraudProduction.json()).toMatchObject({
      name: 'fraud',
      alias: 'production',
      version: fraudV1,
      previous_version: null,
      changed: true,
    });
    // Today's URL: the alias of the version's own name.
    const churnProduction = await server.call('POST', `/v1/models/${CHURN}/aliases`, {
      json: { alias: 'production' },
    });
    expect(await churnProduction.json()).toMatchObject({ name: 'churn', version: CHURN });

    // A version of another name, and a stale expected_version, are refused.
    const wrongName = await set('fraud', { alias: 'challenger', version: CHURN });
    expect(wrongName.status).toBe(422);
    expect((await json<{ error: { details: { path: string }[] } }>(wrongName)).error.details[0]!.path).toBe(
      'version',
    );
    const stale = await set('fraud', { alias: 'production', version: fraudV2, expected_version: fraudV2 });
    expect(stale.status).toBe(409);
    expect(await set('fraud', { alias: 'challenger', version: fraudV2 })).toHaveProperty('status', 200);

    expect((await json<ModelCard>(server.call('GET', '/v1/models/@production'))).version).toBe(CHURN);
    expect((await json<ModelCard>(server.call('GET', '/v1/registry/fraud/@production'))).version).toBe(
      fraudV1,
    );
    expect((await server.call('GET', `/v1/registry/fraud/${CHURN}`)).status).toBe(404);

    const registry = await json<{
      models: {
        name: string;
        aliases: { alias: string; version: string }[];
        versions: { version: string }[];
      }[];
    }>(server.call('GET', '/v1/registry', { token: READ_TOKEN }));
    expect(registry.models.map((m) => m.name)).toEqual(['churn', 'fraud']);
    const byName = Object.fromEntries(registry.models.map((m) => [m.name, m]));
    expect(byName.fraud!.aliases.map((a) => [a.alias, a.version])).toEqual([
      ['challenger', fraudV2],
      ['production', fraudV1],
    ]);
    expect(byName.churn!.aliases.map((a) => [a.alias, a.version])).toEqual([['production', CHURN]]);
    expect(byName.fraud!.versions).toHaveLength(2);

    const history = await json<{ history: { name: string; alias: string; to_version: string | null }[] }>(
      server.call('GET', '/v1/aliases/history?name=fraud'),
    );
    expect(history.history.map((h) => [h.name, h.alias, h.to_version])).toEqual([
      ['fraud', 'challenger', fraudV2],
      ['fraud', 'production', fraudV1],
    ]);
    // Promoting fraud's challenger clears fraud's challenger, not churn's aliases.
    const promoted = await json<{ challenger_cleared: { name: string; alias: string } | null }>(
      set('fraud', { alias: 'production', version: fraudV2, expected_version: fraudV1 }),
    );
    expect(promoted.challenger_cleared).toMatchObject({ name: 'fraud', alias: 'challenger' });
    const back = await set('fraud', { alias: 'production', version: fraudV1, reason: 'roll back' });
    expect(back.status).toBe(200);

    const removed = await server.call(
      'DELETE',
      `/v1/registry/fraud/aliases/staging?expected_version=${fraudV1}`,
    );
    expect(removed.status).toBe(404);
  });

  it('lists every name with a production alias as served models, for read and ingest tokens', async () => {
    for (const token of [READ_TOKEN, ingestToken]) {
      const served = await json<{ models: { name: string; version: string }[] }>(
        server.call('GET', '/v1/served-models', { token }),
      );
      expect(served.models).toEqual([
        { name: 'churn', version: CHURN },
        { name: 'fraud', version: fraudV1 },
      ]);
    }
  });

  it('pushes each name’s production to the edge with the name; pushes of one name leave the other’s alone', async () => {
    await server.pusher.idle();
    const last = (name: string) => edge.received.filter((r) => r.name === name).at(-1);
    expect(last('fraud')?.model.version).toBe(fraudV1);
    expect(last('churn')?.model.version).toBe(CHURN);
    const { pushes } = await json<{ pushes: { name: string; version: string; status: string }[] }>(
      server.call('GET', '/v1/nodes/edge-names/pushes'),
    );
    const succeeded = pushes.filter((p) => p.status === 'succeeded').map((p) => `${p.name}:${p.version}`);
    expect(succeeded).toContain(`fraud:${fraudV1}`);
    expect(succeeded).toContain(`churn:${CHURN}`);
    // Every push sent carries a name that owns the version it sends.
    for (const r of edge.received) expect(r.name).toBe(r.model.version === CHURN ? 'churn' : 'fraud');
  });
});

describe('ingest by the schema of each row’s version', () => {
  it('accepts each model’s own features, refuses bad ones by index and field, and unknown versions by name', async () => {
    const numerical = fraud.schema.features.find((f) => f.kind === 'numerical')!.name;
    const good = predictionRow('edge-names', { model_version: fraudV1, features: { ...fraud.records[0]! } });
    const churnRow = predictionRow('edge-names', { model_version: CHURN });
    const wrongType = predictionRow('edge-names', {
      model_version: fraudV1,
      features: { ...fraud.records[1]!, [numerical]: 'lots' },
    });
    const telcoFeaturesForFraud = predictionRow('edge-names', { model_version: fraudV1 });
    const unknown = predictionRow('edge-names', { model_version: 'fraud-nope' });
    const response = await server.call('POST', '/v1/ingest/predictions', {
      token: ingestToken,
      json: { node_id: 'edge-names', rows: [good, wrongType, churnRow, telcoFeaturesForFraud, unknown] },
    });
    expect(response.status).toBe(200);
    const result = await json<{
      accepted: number;
      rejected: { index: number; path: string; message: string }[];
    }>(response);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => [r.index, r.path])).toEqual([
      [1, `features.${numerical}`],
      [3, expect.stringMatching(/^features\./)],
      [4, 'model_version'],
    ]);
    expect(result.rejected[2]!.message).toContain('unknown model version fraud-nope');
  });
});

describe('drift and retraining per name', () => {
  it('runs drift for each name with a production alias and records the name; reports filter by name', async () => {
    const rows = fraud.records
      .slice(0, 150)
      .map((features) => predictionRow('edge-names', { model_version: fraudV1, features: { ...features } }));
    const ingested = await json<{ accepted: number }>(
      server.call('POST', '/v1/ingest/predictions', {
        token: ingestToken,
        json: { node_id: 'edge-names', rows },
      }),
    );
    expect(ingested.accepted).toBe(150);

    const outcomes = await server.services.automation.scheduler.tickAll();
    const byName = Object.fromEntries(outcomes.map((o) => [o.name, o.outcome]));
    expect(Object.keys(byName)).toEqual(['churn', 'fraud']);
    expect(byName.churn).toMatchObject({ ran: false });
    expect(byName.fraud).toMatchObject({
      ran: true,
      report: { model_name: 'fraud', model_version: fraudV1 },
    });

    const run = await server.call('POST', '/v1/drift/run', {
      json: { name: 'fraud', window: { last_n: 150 } },
    });
    expect(run.status).toBe(201);
    expect(await run.json()).toMatchObject({ model_name: 'fraud', model_version: fraudV1 });
    const mismatch = await server.call('POST', '/v1/drift/run', {
      json: { name: 'fraud', model_version: CHURN },
    });
    expect(mismatch.status).toBe(422);

    const reports = await json<{ reports: { model_name: string }[] }>(
      server.call('GET', '/v1/drift/reports?name=fraud', { token: READ_TOKEN }),
    );
    expect(reports.reports.length).toBe(2);
    expect(reports.reports.every((r) => r.model_name === 'fraud')).toBe(true);
    const churnReports = await json<{ reports: unknown[] }>(
      server.call('GET', '/v1/drift/reports?name=churn'),
    );
    expect(churnReports.reports).toEqual([]);
  });

  it('refuses to retrain an imported model by hand (422, saying why) and records a policy’s wish as skipped', async () => {
    const imported = asImported(fraud, 'scorer-imported-1');
    expect(
      (await server.call('POST', '/v1/models', { json: { name: 'scorer', ...registerBody(imported) } }))
        .status,
    ).toBe(201);
    await server.call('POST', '/v1/registry/scorer/aliases', {
      json: { alias: 'production', version: imported.card.version },
    });
    const manual = await server.call('POST', '/v1/retrain', { json: { name: 'scorer' } });
    expect(manual.status).toBe(422);
    const refusal = await json<{ error: { code: string; message: string } }>(manual);
    expect(refusal.error.code).toBe('retrain_unsupported');
    expect(refusal.error.message).toContain(IMPORTED_RETRAIN_MESSAGE);

    const { drift, retrain } = server.services.analysisConfig;
    server.services.configure({ drift, retrain: { ...retrain, policy: 'on_drift' } }, () => undefined);
    const runId = await server.services.automation.retrainer.afterDriftReport({
      id: '999999',
      model_name: 'scorer',
      model_version: imported.card.version,
      node_id: null,
      window: {},
      dataset_drift: true,
      drift_share: 0.9,
      created_at: new Date().toISOString(),
      report: {},
    });
    expect(runId).not.toBeNull();
    const run = await json<{ model_name: string; status: string; details: { skipped: string } }>(
      server.call('GET', `/v1/retrain/runs/${runId}`),
    );
    expect(run).toMatchObject({ model_name: 'scorer', status: 'skipped' });
    expect(run.details.skipped).toContain(IMPORTED_RETRAIN_MESSAGE);
  });
});
