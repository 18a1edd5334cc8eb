// The model registry: registration (JSON and multipart), verification, reads, aliases, history and idempotency.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  artifactVersion,
  loadArtifact,
  READ_TOKEN,
  registerBody,
  startTestServer,
  type TestServer,
} from './test/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

type ErrorBody = { error: { code: string; message: string; details: unknown } };
type AliasResult = {
  alias: string;
  version: string | null;
  previous_version: string | null;
  changed: boolean;
  change: { id: string; actor: string; reason: string | null } | null;
};

const setAlias = (version: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  server.call('POST', `/v1/models/${version}/aliases`, { json: body, headers });

describe('POST /v1/models', () => {
  it('registers a JSON upload; a second upload of the version is a 409', async () => {
    const artifact = await artifactVersion('churn-json-1');
    const response = await server.call('POST', '/v1/models', { json: registerBody(artifact) });
    expect(response.status).toBe(201);
    const summary = (await response.json()) as Record<string, unknown>;
    expect(summary).toMatchObject({
      version: 'churn-json-1',
      onnx_sha256: artifact.card.onnx_sha256,
      training_data_sha256: artifact.card.training_data_sha256,
      parent_version: null,
      onnx_bytes: artifact.onnx.byteLength,
      aliases: [],
      registered_by: 'admin:env-admin',
    });
    expect(summary.metrics).toEqual(artifact.card.metrics);

    const again = await server.call('POST', '/v1/models', { json: registerBody(artifact) });
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error.code).toBe('version_exists');
  });

  it('registers a multipart upload of model.onnx + model.json, recording the parent', async () => {
    const artifact = await artifactVersion('churn-multipart-2', 'churn-json-1');
    const form = new FormData();
    form.append('model.onnx', new Blob([artifact.onnx as Uint8Array<ArrayBuffer>]), 'model.onnx');
    form.append('model.json', new Blob([JSON.stringify(artifact.card)]), 'model.json');
    const response = await server.call('POST', '/v1/models', { body: form });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      version: 'churn-multipart-2',
      parent_version: 'churn-json-1',
    });

    const card = await server.call('GET', '/v1/models/churn-multipart-2', { token: READ_TOKEN });
    expect(card.status).toBe(200);
    expect(await card.json()).toEqual(artifact.card);
  });

  it('refuses a corrupted artifact with 422 and the reason, and stores nothing', async () => {
    const artifact = await artifactVersion('churn-corrupt');
    const onnx = artifact.onnx.slice();
    onnx[Math.floor(onnx.length / 2)]! ^= 0xff;
    const response = await server.call('POST', '/v1/models', { json: registerBody({ ...artifact, onnx }) });
    expect(response.status).toBe(422);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('sha256_mismatch');
    expect(body.error.message).toMatch(/sha256 mismatch/);
    expect((await server.call('GET', '/v1/models/churn-corrupt')).status).toBe(404);
  });

  it('refuses an invalid card naming the field, bad base64, and a missing file part', async () => {
    const artifact = await artifactVersion('churn-bad-card');
    const badCard = await server.call('POST', '/v1/models', {
      json: { ...registerBody(artifact), model: { ...artifact.card, onnx_sha256: 'nope' } },
    });
    expect(badCard.status).toBe(422);
    const body = (await badCard.json()) as ErrorBody;
    expect(body.error.code).toBe('invalid_card');
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'model.onnx_sha256' })]);

    const badBase64 = await server.call('POST', '/v1/models', {
      json: { model: artifact.card, onnx_base64: '@@@' },
    });
    expect(badBase64.status).toBe(422);
    expect(((await badBase64.json()) as ErrorBody).error.code).toBe('invalid_artifact');

    const form = new FormData();
    form.append('model.json', new Blob([JSON.stringify(artifact.card)]), 'model.json');
    const missing = await server.call('POST', '/v1/models', { body: form });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as ErrorBody).error.details).toEqual([
      expect.objectContaining({ path: 'model.onnx' }),
    ]);

    const text = await server.call('POST', '/v1/models', {
      body: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
  });

  it('answers 413 for an upload past 48 MiB, declared or streamed, and registers nothing', async () => {
    const before = ((await (await server.call('GET', '/v1/models')).json()) as { models: unknown[] }).models;
    const declared = await server.call('POST', '/v1/models', {
      body: '{}',
      headers: { 'content-type': 'application/json', 'content-length': String(48 * 1024 * 1024 + 1) },
    });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as ErrorBody).error).toMatchObject({
      code: 'payload_too_large',
      details: { limit_bytes: 48 * 1024 * 1024 },
    });
    const chunk = new Uint8Array(1024 * 1024).fill(32);
    let sent = 0;
    const streamed = await server.call('POST', '/v1/models', {
      body: new ReadableStream({
        pull(controller) {
          if (sent++ > 48) return controller.close();
          controller.enqueue(chunk);
        },
      }),
      headers: { 'content-type': 'application/json' },
    });
    expect(streamed.status).toBe(413);
    const after = ((await (await server.call('GET', '/v1/models')).json()) as { models: unknown[] }).models;
    expect(after).toHaveLength(before.length);
  });
});

describe('reading the registry', () => {
  it('lists versions with metrics and aliases, and serves the artifact with its sha256 as ETag', async () => {
    const { onnx, card } = await loadArtifact();
    const list = (await (await server.call('GET', '/v1/models', { token: READ_TOKEN })).json()) as {
      models: { version: string; metrics: unknown }[];
    };
    expect(list.models.map((m) => m.version).sort()).toEqual(['churn-json-1', 'churn-multipart-2']);
    expect(list.models[0]!.metrics).toEqual(card.metrics);

    const artifact = await server.call('GET', '/v1/models/churn-json-1/artifact', { token: READ_TOKEN });
    expect(artifact.status).toBe(200);
    expect(artifact.headers.get('content-type')).toBe('application/octet-stream');
    expect(artifact.headers.get('etag')).toBe(`"${card.onnx_sha256}"`);
    expect(new Uint8Array(await artifact.arrayBuffer())).toEqual(onnx);

    const cached = await server.call('GET', '/v1/models/churn-json-1/artifact', {
      token: READ_TOKEN,
      headers: { 'if-none-match': `"${card.onnx_sha256}"` },
    });
    expect(cached.status).toBe(304);
    expect((await server.call('GET', '/v1/models/nope', { token: READ_TOKEN })).status).toBe(404);
    expect((await server.call('GET', '/v1/models/@production', { token: READ_TOKEN })).status).toBe(404);
  });
});

describe('aliases', () => {
  it('sets and moves an alias, serves @alias, and keeps every change in the history', async () => {
    const set = await setAlias('churn-json-1', { alias: 'production', reason: 'first model' });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({
      alias: 'production',
      version: 'churn-json-1',
      previous_version: null,
      changed: true,
      change: { actor: 'admin:env-admin', reason: 'first model' },
    });
    const pulled = await server.call('GET', '/v1/models/@production', { token: READ_TOKEN });
    expect(pulled.status).toBe(200);
    expect(((await pulled.json()) as { version: string }).version).toBe('churn-json-1');
    expect(pulled.headers.get('pmm-aliases')).toBe('production');
    const artifact = await server.call('GET', '/v1/models/@production/artifact', { token: READ_TOKEN });
    expect(artifact.headers.get('pmm-version')).toBe('churn-json-1');
    expect(new Uint8Array(await artifact.arrayBuffer())).toEqual((await loadArtifact()).onnx);

    const moved = (await (
      await setAlias('churn-multipart-2', { alias: 'production' })
    ).json()) as AliasResult;
    expect(moved).toMatchObject({
      version: 'churn-multipart-2',
      previous_version: 'churn-json-1',
      changed: true,
    });
    const same = (await (await setAlias('churn-multipart-2', { alias: 'production' })).json()) as AliasResult;
    expect(same.changed).toBe(false);
    await setAlias('churn-json-1', { alias: 'challenger' });

    const history = (await (
      await server.call('GET', '/v1/aliases/history?alias=production', { token: READ_TOKEN })
    ).json()) as { history: { from_version: string | null; to_version: string | null; seq: string }[] };
    expect(history.history.map((h) => [h.from_version, h.to_version])).toEqual([
      ['churn-json-1', 'churn-multipart-2'],
      [null, 'churn-json-1'],
    ]);
    expect(typeof history.history[0]!.seq).toBe('string');

    const models = (await (await server.call('GET', '/v1/models')).json()) as {
      models: { version: string; aliases: string[] }[];
    };
    expect(Object.fromEntries(models.models.map((m) => [m.version, m.aliases]))).toEqual({
      'churn-json-1': ['challenger'],
      'churn-multipart-2': ['production'],
    });
  });

  it('answers 409 with the current version when expected_version is stale', async () => {
    const stale = await setAlias('churn-json-1', { alias: 'production', expected_version: 'churn-json-1' });
    expect(stale.status).toBe(409);
    const body = (await stale.json()) as ErrorBody;
    expect(body.error.code).toBe('alias_conflict');
    expect(body.error.details).toMatchObject({ current_version: 'churn-multipart-2' });

    const ok = await setAlias('churn-json-1', { alias: 'staging', expected_version: null });
    expect(ok.status).toBe(200);
    const exists = await setAlias('churn-json-1', { alias: 'staging', expected_version: null });
    expect(exists.status).toBe(409);
  });

  it('makes a retried request with the same Idempotency-Key a no-op returning the original result', async () => {
    const key = { 'idempotency-key': 'outbox-42' };
    const body = { alias: 'production', expected_version: 'churn-multipart-2', reason: 'rollback' };
    const first = await setAlias('churn-json-1', body, key);
    expect(first.status).toBe(200);
    const original = await first.json();
    const retry = await setAlias('churn-json-1', body, key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(original);
    // Without the key the same request is a stale write.
    expect((await setAlias('churn-json-1', body)).status).toBe(409);
    // The key with another request is refused.
    const reused = await setAlias('churn-multipart-2', { alias: 'production' }, key);
    expect(reused.status).toBe(409);
    expect(((await reused.json()) as ErrorBody).error.code).toBe('idempotency_key_reused');

    const history = (await (await server.call('GET', '/v1/aliases/history?alias=production')).json()) as {
      history: unknown[];
    };
    expect(history.history).toHaveLength(3);
  });

  it('deletes an alias, records it, and 404s an unknown one', async () => {
    const removed = await server.call('DELETE', '/v1/models/aliases/staging?reason=cleanup');
    expect(removed.status).toBe(200);
    expect(await removed.json()).toMatchObject({
      alias: 'staging',
      version: null,
      previous_version: 'churn-json-1',
    });
    expect((await server.call('DELETE', '/v1/models/aliases/staging')).status).toBe(404);
    const history = (await (await server.call('GET', '/v1/aliases/history?alias=staging')).json()) as {
      history: { to_version: string | null; reason: string | null }[];
    };
    expect(history.history[0]).toMatchObject({ to_version: null, reason: 'cleanup' });
  });

  it('clears the challenger alias when its version is promoted, recording it; another promotion leaves it', async () => {
    const current = async () =>
      Object.fromEntries(
        (
          (await (await server.call('GET', '/v1/aliases')).json()) as {
            aliases: { alias: string; version: string }[];
          }
        ).aliases.map((a) => [a.alias, a.version]),
      );
    const production = (await current())['production']!;
    const other = production === 'churn-json-1' ? 'churn-multipart-2' : 'churn-json-1';
    expect((await setAlias(other, { alias: 'challenger' })).status).toBe(200);

    const key = { 'idempotency-key': 'promote-challenger-1' };
    const body = { alias: 'production', expected_version: production, reason: 'challenger wins' };
    const promoted = await setAlias(other, body, key);
    expect(promoted.status).toBe(200);
    const result = (await promoted.json()) as AliasResult & {
      challenger_cleared: Record<string, unknown> | null;
    };
    expect(result).toMatchObject({ version: other, previous_version: production, changed: true });
    expect(result.challenger_cleared).toMatchObject({
      alias: 'challenger',
      from_version: other,
      to_version: null,
      actor: 'admin:env-admin',
      reason: 'promoted to production: a model is not its own challenger',
    });
    expect(await current()).not.toHaveProperty('challenger');
    const history = (await (await server.call('GET', '/v1/aliases/history?alias=challenger')).json()) as {
      history: { id: string; from_version: string | null; to_version: string | null }[];
    };
    expect(history.history[0]).toMatchObject({
      id: result.challenger_cleared!['id'],
      from_version: other,
      to_version: null,
    });
    // A replay answers the same, and clears nothing twice.
    const replay = await setAlias(other, body, key);
    expect(await replay.json()).toEqual(result);
    const again = (await (await server.call('GET', '/v1/aliases/history?alias=challenger')).json()) as {
      history: unknown[];
    };
    expect(again.history).toHaveLength(history.history.length);

    // Promoting a version that is not the challenger leaves the challenger where it is.
    await setAlias(production, { alias: 'challenger' });
    const third = await artifactVersion('churn-third-3', other);
    expect((await server.call('POST', '/v1/models', { json: registerBody(third) })).status).toBe(201);
    const moved = (await (await setAlias('churn-third-3', { alias: 'production' })).json()) as {
      challenger_cleared: unknown;
    };
    expect(moved.challenger_cleared).toBeNull();
    expect(await current()).toMatchObject({ production: 'churn-third-3', challenger: production });
  });

  it('validates alias names and refuses unknown versions', async () => {
    const bad = await setAlias('churn-json-1', { alias: 'Prod!' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as ErrorBody).error.details).toEqual([
      expect.objectContaining({ path: 'alias' }),
    ]);
    expect((await setAlias('churn-missing', { alias: 'production' })).status).toBe(404);
    // A value only PostgreSQL refuses (NUL in text) is still the client's 422, not a 500.
    const nul = await setAlias('churn-json-1', { alias: 'nul-test', reason: 'a\u0000b' });
    expect(nul.status).toBe(422);
    expect(((await nul.json()) as ErrorBody).error.code).toBe('invalid_value');
  });

  it('keeps alias_history append-only in the database itself', async () => {
    await expect(server.database.db.execute(sql`delete from alias_history`)).rejects.toThrow();
    await expect(server.database.db.execute(sql`update alias_history set reason = 'x'`)).rejects.toThrow();
  });

  it('refuses writes from a read token (403) and changes nothing', async () => {
    const before = await (await server.call('GET', '/v1/aliases')).json();
    const write = await server.call('POST', '/v1/models/churn-multipart-2/aliases', {
      token: READ_TOKEN,
      json: { alias: 'production' },
    });
    expect(write.status).toBe(403);
    const del = await server.call('DELETE', '/v1/models/aliases/production', { token: READ_TOKEN });
    expect(del.status).toBe(403);
    const upload = await server.call('POST', '/v1/models', {
      token: READ_TOKEN,
      json: registerBody(await artifactVersion('churn-by-reader')),
    });
    expect(upload.status).toBe(403);
    expect(await (await server.call('GET', '/v1/aliases', { token: ADMIN_TOKEN })).json()).toEqual(before);
    expect((await server.call('GET', '/v1/models/churn-by-reader')).status).toBe(404);
  });
});
