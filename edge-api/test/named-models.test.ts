// Several named models on one edge (lite build in workerd, real D1/KV): the Telco demo as the default model 'churn'
// beside a model that is not Telco ('fraud', inputs named with spaces), each predicted, listed, rolled back and
// logged under its name; today's routes and KV keys keep serving the default model.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { createLitePredictor } from '@pmm/core/onnx';
import { buildRequestValidator, TELCO_SCHEMA } from '@pmm/core/schema';
import onnxPkg from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { canaryRow } from '../src/canary-row';
import { Runtime } from '../src/edge-node';
import type { Env } from '../src/env';
import { artifactKey } from '../src/model-store';
import worker from '../src/worker-lite';
import { centre } from './centre';
import { env } from './env';
import {
  ADMIN_TOKEN,
  type Artifact,
  artifact,
  cardFor,
  EXAMPLE_FEATURES,
  FRAUD_SCHEMA,
  fraudArtifact,
  fraudProbability,
  namedInstallBody,
  toBase64,
} from './fixtures';

// biome-ignore lint/suspicious/noExplicitAny: responses are read loosely in assertions
type Call = { status: number; body: any };

async function call(
  method: string,
  path: string,
  init: { json?: unknown; body?: string; admin?: boolean; env?: Env } = {},
): Promise<Call> {
  const headers: Record<string, string> = {};
  const body = init.json !== undefined ? JSON.stringify(init.json) : (init.body ?? null);
  if (body !== null) headers['content-type'] = 'application/json';
  if (init.admin) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  const ctx = createExecutionContext();
  const response = await worker.fetch!(
    new Request(`http://edge.test${path}`, { method, headers, body }) as Request<
      unknown,
      IncomingRequestCfProperties
    >,
    init.env ?? env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: response.status, body: await response.json() };
}

async function install(a: Artifact, name?: string, target: Env = env) {
  const r = await call('POST', '/admin/models', {
    body: namedInstallBody(a, name),
    admin: true,
    env: target,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

const FRAUD_ROW = { 'Home Airport': 'AMS', 'Amount USD': 250, 'Card Age Days': 10 };

describe('several named models', () => {
  it('serves churn (default) and fraud side by side, lists them with their schemas, logs each under its name', async () => {
    const churn = await artifact('churn-v1');
    const fraud = await fraudArtifact('fraud-v1');
    expect(await install(churn)).toMatchObject({
      name: 'churn',
      version: 'churn-v1',
      previous_version: null,
    });
    expect(await install(fraud, 'fraud')).toMatchObject({ name: 'fraud', version: 'fraud-v1' });

    // The default routes serve churn, exactly as before; the named route answers the same.
    const byDefault = await call('POST', '/api/v1/predict', { json: { features: EXAMPLE_FEATURES } });
    expect(byDefault.status).toBe(200);
    expect(byDefault.body.model_version).toBe('churn-v1');
    const byName = await call('POST', '/api/v1/models/churn/predict', {
      json: { features: EXAMPLE_FEATURES },
    });
    expect(byName.body.model_version).toBe('churn-v1');
    expect(byName.body.probability).toBeCloseTo(byDefault.body.probability, 6);

    // The fraud model, validated by its own schema.
    const one = await call('POST', '/api/v1/models/fraud/predict', { json: { features: FRAUD_ROW } });
    expect(one.status, JSON.stringify(one.body)).toBe(200);
    expect(one.body.model_version).toBe('fraud-v1');
    expect(one.body.probability).toBeCloseTo(fraudProbability(FRAUD_ROW), 5);
    const rows = [
      { 'Home Airport': 'CDG', 'Amount USD': null, 'Card Age Days': 30 },
      { 'Home Airport': 'JFK', 'Amount USD': 100, 'Card Age Days': 400 },
    ];
    const batch = await call('POST', '/api/v1/models/fraud/predict/batch', { json: { rows } });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    expect(batch.body.predictions.map((p: { probability: number }) => p.probability)).toEqual([
      expect.closeTo(fraudProbability({ ...rows[0]!, 'Home Airport': 'CDG' }), 5),
      expect.closeTo(fraudProbability(rows[1]!), 5),
    ]);
    // Each model refuses the other's rows, naming the fields.
    const crossed = await call('POST', '/api/v1/models/fraud/predict', {
      json: { features: EXAMPLE_FEATURES },
    });
    expect(crossed.status).toBe(422);
    expect(crossed.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'features.Home Airport', message: 'missing' },
        { path: 'features.tenure', message: 'unknown field' },
      ]),
    );
    const crossed2 = await call('POST', '/api/v1/predict', { json: { features: FRAUD_ROW } });
    expect(crossed2.status).toBe(422);
    expect(crossed2.body.error.details).toContainEqual({
      path: 'features.Home Airport',
      message: 'unknown field',
    });
    const badAge = await call('POST', '/api/v1/models/fraud/predict', {
      json: { features: { ...FRAUD_ROW, 'Card Age Days': 1.5 } },
    });
    expect(badAge.status).toBe(422);
    expect(badAge.body.error.details[0].path).toBe('features.Card Age Days');

    // The list: each model, its version and its schema's features.
    const list = await call('GET', '/api/v1/models');
    expect(list.status).toBe(200);
    expect(list.body.default_model).toBe('churn');
    expect(list.body.models.map((m: { name: string }) => m.name)).toEqual(['churn', 'fraud']);
    const [churnListed, fraudListed] = list.body.models;
    expect(churnListed).toMatchObject({ name: 'churn', version: 'churn-v1', default: true });
    expect(churnListed.features.map((f: { name: string }) => f.name)).toEqual(
      TELCO_SCHEMA.features.map((f) => f.name),
    );
    expect(fraudListed).toMatchObject({
      name: 'fraud',
      version: 'fraud-v1',
      default: false,
      task: 'binary_classification',
      target: { column: 'Is Fraud', positive: 'fraud' },
    });
    expect(fraudListed.features).toEqual([
      expect.objectContaining({
        name: 'Home Airport',
        kind: 'categorical',
        categories: ['AMS', 'CDG', 'LHR'],
      }),
      expect.objectContaining({ name: 'Amount USD', kind: 'numerical', range: { min: 1, max: 500 } }),
      expect.objectContaining({ name: 'Card Age Days', kind: 'numerical', integer: true }),
    ]);
    expect((await call('GET', '/api/v1/models/fraud')).body).toMatchObject({
      name: 'fraud',
      version: 'fraud-v1',
      sha256: fraud.card.onnx_sha256,
    });
    expect((await call('GET', '/api/v1/model')).body).toMatchObject({ name: 'churn', version: 'churn-v1' });

    const doc = (await call('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/models',
        '/api/v1/models/{name}',
        '/api/v1/models/{name}/predict',
        '/api/v1/models/{name}/predict/batch',
      ]),
    );

    // /healthz: today's fields for the default model, and every model by name.
    const health = await call('GET', '/healthz');
    expect(health.body).toMatchObject({
      status: 'ok',
      default_model: 'churn',
      model: { version: 'churn-v1' },
      models: [
        { name: 'churn', version: 'churn-v1', serving_version: 'churn-v1' },
        { name: 'fraud', version: 'fraud-v1', serving_version: 'fraud-v1' },
      ],
    });

    // The log: each row under the name it was served by; shipped rows keep today's shape.
    const logged = await env.DB.prepare(
      'SELECT model_name, model_version, count(*) AS n FROM predictions GROUP BY 1, 2 ORDER BY 1',
    ).all();
    expect(logged.results).toEqual([
      { model_name: 'churn', model_version: 'churn-v1', n: 2 },
      { model_name: 'fraud', model_version: 'fraud-v1', n: 3 },
    ]);
    const fraudLogged = await env.DB.prepare(
      "SELECT features FROM predictions WHERE model_name = 'fraud' AND probability = ?",
    )
      .bind(one.body.probability)
      .first<{ features: string }>();
    expect(JSON.parse(fraudLogged!.features)).toEqual(FRAUD_ROW);
  });

  it('rolls back one name without touching the other', async () => {
    await install(await artifact('churn-v1'));
    await install(await artifact('churn-v2', 1));
    await install(await fraudArtifact('fraud-v1'), 'fraud');
    await install(await fraudArtifact('fraud-v2', 2), 'fraud');
    const before = await call('POST', '/api/v1/models/fraud/predict', { json: { features: FRAUD_ROW } });
    expect(before.body).toMatchObject({ model_version: 'fraud-v2' });
    expect(before.body.probability).toBeCloseTo(fraudProbability(FRAUD_ROW, 2), 5);

    const rb = await call('POST', '/admin/models/rollback?name=fraud', { admin: true });
    expect(rb.status).toBe(200);
    expect(rb.body).toMatchObject({ name: 'fraud', version: 'fraud-v1', rolled_back_from: 'fraud-v2' });
    const after = await call('POST', '/api/v1/models/fraud/predict', { json: { features: FRAUD_ROW } });
    expect(after.body.model_version).toBe('fraud-v1');
    expect(after.body.probability).toBeCloseTo(fraudProbability(FRAUD_ROW), 5);
    expect(
      (await call('POST', '/api/v1/predict', { json: { features: EXAMPLE_FEATURES } })).body.model_version,
    ).toBe('churn-v2');

    // The name may come in a JSON body too; nothing left to go back to is a 409 naming the model.
    const none = await call('POST', '/admin/models/rollback', { json: { name: 'fraud' }, admin: true });
    expect(none.status).toBe(409);
    expect(none.body.error).toMatchObject({
      code: 'no_previous_model',
      message: expect.stringContaining('fraud'),
    });
    // No name: the default model, as before.
    expect((await call('POST', '/admin/models/rollback', { admin: true })).body).toMatchObject({
      name: 'churn',
      version: 'churn-v1',
      rolled_back_from: 'churn-v2',
    });
  });

  it('404 naming an unknown model, 400 naming `name` for one that is not a model name', async () => {
    await install(await artifact('churn-v1'));
    const unknown = await call('POST', '/api/v1/models/fraud/predict', { json: { features: FRAUD_ROW } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      code: 'unknown_model',
      message: expect.stringContaining('"fraud"'),
    });
    expect(
      (await call('POST', '/api/v1/models/fraud/predict/batch', { json: { rows: [FRAUD_ROW] } })).status,
    ).toBe(404);
    expect((await call('GET', '/api/v1/models/fraud')).status).toBe(404);
    const rollbackUnknown = await call('POST', '/admin/models/rollback?name=fraud', { admin: true });
    expect(rollbackUnknown.status).toBe(404);
    expect(rollbackUnknown.body.error.message).toContain('"fraud"');

    for (const bad of ['Fraud', 'fraud%20model', '1fraud', 'x'.repeat(65)]) {
      const r = await call('POST', `/api/v1/models/${bad}/predict`, { json: { features: FRAUD_ROW } });
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe('invalid_model_name');
      expect(r.body.error.details).toEqual([{ path: 'name', message: expect.any(String) }]);
    }
    const badRollback = await call('POST', '/admin/models/rollback?name=Not%20A%20Name', { admin: true });
    expect(badRollback.status).toBe(400);
    expect(badRollback.body.error.details[0].path).toBe('name');
    // In the install body `name` is a field like any other: a 422 naming it, and nothing installed.
    const fraud = await fraudArtifact('fraud-v1');
    const badInstall = await call('POST', '/admin/models', {
      json: { name: 'Fraud Model', model: fraud.card, onnx_base64: toBase64(fraud.onnx) },
      admin: true,
    });
    expect(badInstall.status).toBe(422);
    expect(badInstall.body.error.details.map((d: { path: string }) => d.path)).toEqual(['name']);
    expect((await call('GET', '/api/v1/models')).body.models.map((m: { name: string }) => m.name)).toEqual([
      'churn',
    ]);
    // The admin routes stay closed without the token, named or not.
    const anonymous = await call('POST', '/admin/models', { body: namedInstallBody(fraud, 'fraud') });
    expect(anonymous.status).toBe(401);
  });

  it("keeps serving what a single-model edge stored in KV, and keeps 'churn' at today's keys", async () => {
    // Written as the single-model edge wrote it: the pointer, the card, the artifact under its sha256.
    const old = await artifact('old-v1');
    await env.MODELS.put(artifactKey(old.card.onnx_sha256), old.onnx);
    await env.MODELS.put('models/old-v1/card', JSON.stringify(old.card));
    await env.MODELS.put(
      'models/active',
      JSON.stringify({
        version: 'old-v1',
        onnx_sha256: old.card.onnx_sha256,
        activated_at: '2026-11-01T00:00:00.000Z',
        history: [],
        rolled_back: [],
      }),
    );
    expect(
      (await call('POST', '/api/v1/predict', { json: { features: EXAMPLE_FEATURES } })).body.model_version,
    ).toBe('old-v1');
    expect(
      (await call('POST', '/api/v1/models/churn/predict', { json: { features: EXAMPLE_FEATURES } })).body
        .model_version,
    ).toBe('old-v1');

    // A pushed default model lands on the same keys; a named one beside them; the artifacts stay shared.
    const next = await artifact('churn-v2', 1);
    await install(next);
    const fraud = await fraudArtifact('fraud-v1');
    await install(fraud, 'fraud');
    const keys = (await env.MODELS.list()).keys.map((k) => k.name).sort();
    expect(keys).toEqual(
      [
        'models/active',
        'models/old-v1/card',
        'models/churn-v2/card',
        'pointers/fraud',
        'cards/fraud/fraud-v1',
        artifactKey(old.card.onnx_sha256),
        artifactKey(next.card.onnx_sha256),
        artifactKey(fraud.card.onnx_sha256),
      ].sort(),
    );
    expect(JSON.parse((await env.MODELS.get('models/active'))!)).toMatchObject({
      version: 'churn-v2',
      history: ['old-v1'],
    });
  });

  it('DEFAULT_MODEL picks the model the unnamed routes serve', async () => {
    const fraudDefault = { ...env, DEFAULT_MODEL: 'fraud' } as Env;
    await install(await artifact('churn-v1'), 'churn', fraudDefault);
    // No name: the configured default.
    await install(await fraudArtifact('fraud-v1'), undefined, fraudDefault);
    const p = await call('POST', '/api/v1/predict', { json: { features: FRAUD_ROW }, env: fraudDefault });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.model_version).toBe('fraud-v1');
    expect((await call('GET', '/api/v1/models', { env: fraudDefault })).body).toMatchObject({
      default_model: 'fraud',
      models: [
        { name: 'churn', default: false },
        { name: 'fraud', default: true },
      ],
    });
    // The node configured with today's default sees the same two models and answers churn.
    expect(
      (await call('POST', '/api/v1/predict', { json: { features: EXAMPLE_FEATURES } })).body.model_version,
    ).toBe('churn-v1');
  });
});

describe('the install canary', () => {
  it("is built from the model's schema and is a row that schema accepts", () => {
    const telco = canaryRow(TELCO_SCHEMA);
    expect(buildRequestValidator(TELCO_SCHEMA).validateFeatures(telco)).toMatchObject({ ok: true });
    const fraud = canaryRow(FRAUD_SCHEMA);
    expect(fraud).toEqual({ 'Home Airport': 'AMS', 'Amount USD': 250.5, 'Card Age Days': 1825 });
    expect(buildRequestValidator(FRAUD_SCHEMA).validateFeatures(fraud)).toMatchObject({ ok: true });
    // No training range: inside the bounds, whole where the feature is; no categories: null where allowed.
    const sparse = canaryRow({
      features: [
        {
          name: 'a',
          kind: 'categorical',
          categories: [],
          closed: false,
          missing: { allowed: true, treatment: 'unknown_category' },
        },
        {
          name: 'b',
          kind: 'categorical',
          categories: [],
          closed: false,
          missing: { allowed: false, treatment: 'unknown_category' },
        },
        {
          name: 'c',
          kind: 'numerical',
          range: null,
          bounds: { min: 1, max: 4 },
          integer: true,
          missing: { allowed: false, treatment: 'impute', value: null },
        },
        {
          name: 'd',
          kind: 'numerical',
          range: null,
          bounds: { min: 5 },
          integer: false,
          missing: { allowed: false, treatment: 'impute', value: 2 },
        },
        {
          name: 'e',
          kind: 'numerical',
          range: null,
          integer: false,
          missing: { allowed: true, treatment: 'model', value: null },
        },
      ],
    });
    expect(sparse).toEqual({ a: null, b: '(canary)', c: 3, d: 5, e: 0 });
  });

  it('refuses a non-Telco model whose output on its own canary row is not a probability', async () => {
    // σ swapped for Relu, bias raised by 80: on the canary row (AMS, 250.5, 1825) the output is
    // 1.5 + 1.505 − 35.9 + 80 − 0.5 ≈ 46.6, not a probability (a Telco row would not even reach this model).
    const { onnx: protos } = onnxPkg;
    const model = protos.ModelProto.decode((await fraudArtifact('fraud-bad', 80)).onnx);
    for (const node of model.graph?.node ?? []) if (node.opType === 'Sigmoid') node.opType = 'Relu';
    const onnx = protos.ModelProto.encode(model).finish();
    const card = { ...(await cardFor('fraud-bad', onnx)), schema: FRAUD_SCHEMA, feature_schema: [] };
    const r = await call('POST', '/admin/models', {
      json: { name: 'fraud', model: card, onnx_base64: toBase64(onnx) },
      admin: true,
    });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'canary_failed', message: expect.stringContaining('46.6') });
    expect((await call('GET', '/api/v1/models')).body.models).toEqual([]);
  });
});

describe('pull per served name', () => {
  it("installs each name's production version from the centre, and not again after that name's rollback", async () => {
    const suffix = crypto.randomUUID().slice(0, 8);
    const churn = await artifact(`pull-churn-${suffix}`, 1);
    const fraud = await fraudArtifact(`pull-fraud-${suffix}`, 1);
    // The registry holds both versions (the real centre); which names serve which version is what
    // `GET /v1/served-models` answers: stated here, the only part not asked of the centre.
    // (No alias is set: sync.test.ts counts on the centre having no production model until it promotes one.)
    await centre.register(churn);
    await centre.register(fraud);
    let served = [
      { name: 'churn', version: churn.card.version },
      { name: 'fraud', version: fraud.card.version },
    ];
    const fetchVia: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname === '/v1/served-models') {
        expect(new Headers(init?.headers).get('authorization')).toBe(`Bearer ${env.INGEST_TOKEN}`);
        return Response.json({ models: served });
      }
      return fetch(input, init);
    };
    const node = new Runtime('lite', createLitePredictor, fetchVia).node(env);
    const v1 = await fraudArtifact(`pull-fraud-old-${suffix}`);
    await node.installModel(v1.card, v1.onnx, 'fraud');

    expect(await node.pullModels()).toEqual([
      { name: 'churn', status: 'installed', detail: churn.card.version },
      { name: 'fraud', status: 'installed', detail: fraud.card.version },
    ]);
    const ctx = { waitUntil: (_p: Promise<unknown>) => {} };
    const [p] = await node.predict([FRAUD_ROW], ctx, 'fraud');
    expect(p).toMatchObject({ model_version: fraud.card.version });
    expect(p!.probability).toBeCloseTo(fraudProbability(FRAUD_ROW, 1), 5);
    expect((await node.predict([EXAMPLE_FEATURES], ctx))[0]!.model_version).toBe(churn.card.version);
    expect((await node.pullModels()).map((r) => r.status)).toEqual(['current', 'current']);

    await node.rollback('fraud');
    expect(await node.pullModels()).toEqual([
      { name: 'churn', status: 'current', detail: churn.card.version },
      { name: 'fraud', status: 'skipped', detail: `${fraud.card.version} was rolled back on this node` },
    ]);
    expect((await node.modelInfo('fraud')).version).toBe(v1.card.version);

    // A name the centre serves but does not hold: that name fails, the others go on.
    served = [
      { name: 'churn', version: churn.card.version },
      { name: 'other', version: `missing-${suffix}` },
    ];
    const results = await node.pullModels();
    expect(results[0]).toEqual({ name: 'churn', status: 'current', detail: churn.card.version });
    expect(results[1]).toMatchObject({
      name: 'other',
      status: 'failed',
      detail: expect.stringContaining('404'),
    });
  });
});
