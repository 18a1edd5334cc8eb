// Test helpers: a private database per test file (a fresh PostgreSQL database, or a copy of the PGlite template),
// the app wired to it, the trained artifact, and row factories.

import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ModelCard } from '@pmm/core/model';
import { EXAMPLE_FEATURES } from '@pmm/core/schema';
import type { IngestFeedbackRow, IngestPredictionRow } from '@pmm/core/sync';
import { inject } from 'vitest';
import { createApp } from '../app';
import type { PushOptions } from '../config';
import { type Database, migrateDatabase, openDatabase } from '../db/client';
import { putToken } from '../db/tokens';
import { Pusher } from '../push';
import { Services } from '../services';
import { createScratchDatabase } from './scratch-database';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const READ_TOKEN = 'test-read-token-0123456789';

export interface TestDatabase {
  readonly database: Database;
  /** How to reach the same store from another process. */
  readonly env: { DATABASE_URL: string } | { PMM_DB_DIR: string };
  cleanup(): Promise<void>;
}

/** A store of its own: `CREATE DATABASE` on the PostgreSQL of DATABASE_URL, or a copy of the migrated PGlite template. */
export async function createTestStore(): Promise<{ env: TestDatabase['env']; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const scratch = await createScratchDatabase(url, 'pmm_test');
    return { env: { DATABASE_URL: scratch.url }, drop: scratch.drop };
  }
  const root = await mkdtemp(path.join(tmpdir(), 'pmm-sync-db-'));
  const dir = path.join(root, 'db');
  await cp(inject('pgliteTemplate'), dir, { recursive: true });
  return { env: { PMM_DB_DIR: dir }, drop: () => rm(root, { recursive: true, force: true }) };
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const store = await createTestStore();
  const database = await openDatabase(
    'DATABASE_URL' in store.env ? { url: store.env.DATABASE_URL } : { dir: store.env.PMM_DB_DIR },
  );
  await migrateDatabase(database);
  return {
    database,
    env: store.env,
    cleanup: async () => {
      await database.close().catch(() => undefined);
      await store.drop();
    },
  };
}

export const FAST_PUSH: PushOptions = { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 5_000 };

export interface TestServer {
  readonly services: Services;
  readonly database: Database;
  readonly pusher: Pusher;
  readonly app: ReturnType<typeof createApp>;
  /** `app.request` with a bearer token (admin unless `token` says otherwise; null = none) and a JSON body. */
  call(
    method: string,
    url: string,
    options?: { token?: string | null; json?: unknown; body?: BodyInit; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestServer(push: PushOptions = FAST_PUSH): Promise<TestServer> {
  const store = await openTestDatabase();
  const { database } = store;
  await putToken(database.db, 'env-admin', 'admin', ADMIN_TOKEN);
  await putToken(database.db, 'env-read', 'read', READ_TOKEN);
  const services = new Services();
  const pusher = new Pusher({ db: database.db, options: push });
  services.setReady({ database, pusher });
  const app = createApp(services);
  return {
    services,
    database,
    pusher,
    app,
    call: (method, url, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      const token = options.token === undefined ? ADMIN_TOKEN : options.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body = options.body;
      if (options.json !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = JSON.stringify(options.json);
      }
      // duplex: a streamed body (no Content-Length) is allowed too.
      return Promise.resolve(app.request(url, { method, headers, body, duplex: 'half' } as RequestInit));
    },
    close: async () => {
      await pusher.close();
      await store.cleanup();
    },
  };
}

export interface Artifact {
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
}

let artifact: Promise<Artifact> | undefined;

/** The model trained once by the global setup. */
export function loadArtifact(): Promise<Artifact> {
  artifact ??= (async () => {
    const dir = inject('artifactDir');
    const [json, onnx] = await Promise.all([
      readFile(path.join(dir, 'model.json'), 'utf8'),
      readFile(path.join(dir, 'model.onnx')),
    ]);
    return { card: JSON.parse(json) as ModelCard, onnx: new Uint8Array(onnx) };
  })();
  return artifact;
}

/** The same artifact under another version name (the registry does not care that the bytes repeat). */
export async function artifactVersion(version: string, parent: string | null = null): Promise<Artifact> {
  const base = await loadArtifact();
  return { card: { ...base.card, version, parent_version: parent }, onnx: base.onnx };
}

export const registerBody = (a: Artifact) => ({
  model: a.card,
  onnx_base64: Buffer.from(a.onnx).toString('base64'),
});

/** The version `predictionRow` logs under: register it first (`registerTestVersion`), as the centre refuses rows of unknown versions. */
export const TEST_VERSION = 'churn-test-1';

/** Registers the trained artifact as `TEST_VERSION` through the API (base URL + admin token, or a test server). */
export async function registerTestVersion(
  server: TestServer | { url: string; token: string },
): Promise<void> {
  const body = registerBody(await artifactVersion(TEST_VERSION));
  const response =
    'call' in server
      ? await server.call('POST', '/v1/models', { json: body })
      : await fetch(`${server.url}/v1/models`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
  if (response.status !== 201 && response.status !== 409)
    throw new Error(`register ${TEST_VERSION}: ${response.status} ${await response.text()}`);
}

export function predictionRow(
  nodeId: string,
  overrides: Partial<IngestPredictionRow> = {},
): IngestPredictionRow {
  return {
    prediction_id: randomUUID(),
    created_at: new Date().toISOString(),
    node_id: nodeId,
    model_version: TEST_VERSION,
    features: { ...EXAMPLE_FEATURES },
    probability: 0.42,
    label: 0,
    ...overrides,
  };
}

export function feedbackRow(
  predictionId: string,
  overrides: Partial<IngestFeedbackRow> = {},
): IngestFeedbackRow {
  return { prediction_id: predictionId, outcome: 1, created_at: new Date().toISOString(), ...overrides };
}

/** Registers a node through the API and returns its ingest token. */
export async function addNode(
  server: TestServer,
  nodeId: string,
  url = 'http://127.0.0.1:9/',
): Promise<string> {
  const response = await server.call('POST', '/v1/nodes', {
    json: { node_id: nodeId, url, admin_token: `edge-admin-${nodeId}` },
  });
  if (response.status !== 201) throw new Error(`register node: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { ingest_token: string }).ingest_token;
}
