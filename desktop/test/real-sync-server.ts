// The REAL sync server (spawned by @pmm/sync-server/test-server: PGlite in a temp dir, or a scratch PostgreSQL
// database when DATABASE_URL is set) for the desktop's tests and bench, with real trained models, aliases, nodes
// and a Telco prediction log seeded through the public API. stop()/kill()/restart() take it away and back.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseCsv, toFeatureRows } from '@pmm/core/data';
import type { ModelCard } from '@pmm/core/model';
import { createLitePredictor } from '@pmm/core/onnx';
import { createTraffic } from '@pmm/core/simulate';
import type { IngestFeedbackRow, IngestPredictionRow } from '@pmm/core/sync';
import {
  type RealSyncServer,
  type StartOptions as SyncServerOptions,
  startRealSyncServer as startSyncServer,
} from '@pmm/sync-server/test-server';
import { telcoCsvPath } from '@pmm/test-support';

const REPO = path.resolve(import.meta.dirname, '../..');
export const TELCO_CSV = telcoCsvPath();
export const ADMIN_TOKEN = 'desktop-test-admin-token-0123456789';
export const READ_TOKEN = 'desktop-test-read-token-0123456789';
/** Rows per ingest request: the server's maximum. */
export const INGEST_BATCH = 5_000;

// ---------------------------------------------------------------------------------------------------------------
// Models: trained by the real CLI.

export interface TrainedModel {
  readonly dir: string;
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
}

export async function loadModel(dir: string): Promise<TrainedModel> {
  const [json, onnx] = await Promise.all([
    readFile(path.join(dir, 'model.json'), 'utf8'),
    readFile(path.join(dir, 'model.onnx')),
  ]);
  return { dir, card: JSON.parse(json) as ModelCard, onnx: new Uint8Array(onnx) };
}

/** `pmm train --seed <seed> --out <root>/seed-<seed>`: a real model artifact; returns its directory. */
export async function trainModel(root: string, seed: number, csv: string = TELCO_CSV): Promise<string> {
  const out = path.join(root, `seed-${seed}`);
  const args = [
    path.join(REPO, 'cli/bin/pmm.js'),
    'train',
    '--data',
    csv,
    '--out',
    out,
    '--seed',
    String(seed),
  ];
  await promisify(execFile)(process.execPath, [...args, '--format', 'json'], {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
  });
  return out;
}

/** The production model (`--seed 0`) and the challenger (`--seed 1`), trained in parallel into `root`. */
export async function trainModels(
  root: string,
  csv: string = TELCO_CSV,
): Promise<{ production: string; challenger: string }> {
  const [production, challenger] = await Promise.all([trainModel(root, 0, csv), trainModel(root, 1, csv)]);
  return { production, challenger };
}

// ---------------------------------------------------------------------------------------------------------------
// The server process.

export type { RealSyncServer, RequestOptions, StoreInfo } from '@pmm/sync-server/test-server';

export type StartOptions = Omit<SyncServerOptions, 'adminToken' | 'readToken' | 'name'>;

/** Starts the real sync server (`@pmm/sync-server/test-server`) with the desktop tests' tokens. */
export function startRealSyncServer(options: StartOptions = {}): Promise<RealSyncServer> {
  return startSyncServer({
    ...options,
    // the renderer is previewed on whichever port is free
    env: { PMM_CORS_ORIGIN: '*', ...options.env },
    adminToken: ADMIN_TOKEN,
    readToken: READ_TOKEN,
    name: 'pmm_desktop',
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding through the public API.

export interface SeedOptions {
  /** Model directories from `trainModels`. */
  readonly models: { readonly production: string; readonly challenger: string };
  readonly predictions: number;
  /** Share of predictions that get feedback (default 0.4). */
  readonly feedbackShare?: number;
  readonly csv?: string;
  /** The log covers 14 days ending here (default: now, to the minute); it drifts gradually towards the end. */
  readonly end?: number;
  readonly nodes?: readonly string[];
  /** Which model scored row i (default: production for every row). */
  readonly scoredBy?: (i: number, total: number) => 'production' | 'challenger';
}

export interface Seeded {
  readonly production: string;
  readonly challenger: string;
  readonly nodes: readonly string[];
  readonly predictions: number;
  readonly feedback: number;
  readonly start: number;
  readonly end: number;
  /** Ingest tokens by node. */
  readonly ingestTokens: Readonly<Record<string, string>>;
  /** Row i of the log: its node, time and model (what `seedTelco` ingested, or would for i >= predictions). */
  row(i: number): {
    readonly id: string;
    readonly node: string;
    readonly ts: number;
    readonly version: string;
  };
  /**
   * Ingests rows [from, to) of the same traffic (beyond `predictions` they continue past `end` at the same
   * pace); returns the predictions and feedback rows sent.
   */
  ingest(from: number, to: number): Promise<{ predictions: number; feedback: number }>;
}

/** A deterministic, valid v4 UUID for row `i`. */
export const predictionId = (i: number): string =>
  `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/** Registers a trained model with `POST /v1/models` (JSON `{ model, onnx_base64 }`). */
/** Registers a model version, under `name` when given (the registry's default name otherwise). */
export async function registerModel(
  server: RealSyncServer,
  model: TrainedModel,
  name?: string,
): Promise<void> {
  await server.call('POST', '/v1/models', {
    json: {
      model: model.card,
      onnx_base64: Buffer.from(model.onnx).toString('base64'),
      ...(name !== undefined && { name }),
    },
  });
}

/** `POST /v1/models/:version/aliases` with the admin token; returns the response (409s included). */
export function setAlias(
  server: RealSyncServer,
  alias: string,
  version: string,
  extra: { reason?: string; expected_version?: string | null; idempotencyKey?: string } = {},
): Promise<Response> {
  const { idempotencyKey, ...body } = extra;
  return server.request('POST', `/v1/models/${encodeURIComponent(version)}/aliases`, {
    json: { alias, ...body },
    ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
  });
}

async function mustSetAlias(server: RealSyncServer, alias: string, version: string, reason: string) {
  const response = await setAlias(server, alias, version, { reason });
  if (!response.ok) throw new Error(`set ${alias}: ${response.status} ${await response.text()}`);
}

/**
 * Registers both models (production ← seed 0, challenger ← seed 1), a node per edge, and `predictions` rows of
 * Telco traffic (gradual drift) scored by the real model, plus feedback — all through the real API.
 */
export async function seedTelco(server: RealSyncServer, options: SeedOptions): Promise<Seeded> {
  const [production, challenger] = await Promise.all([
    loadModel(options.models.production),
    loadModel(options.models.challenger),
  ]);
  await registerModel(server, production);
  await registerModel(server, challenger);
  await mustSetAlias(server, 'production', production.card.version, 'first model');
  await mustSetAlias(server, 'challenger', challenger.card.version, 'retrained with another seed');

  const nodes = options.nodes ?? ['edge-1', 'edge-2', 'edge-3'];
  const ingestTokens: Record<string, string> = {};
  for (const node of nodes) {
    const { ingest_token } = await server.call<{ ingest_token: string }>('POST', '/v1/nodes', {
      json: { node_id: node, url: 'http://127.0.0.1:9/', admin_token: `edge-admin-${node}-0123456789` },
    });
    ingestTokens[node] = ingest_token;
  }

  const total = options.predictions;
  const csvPath = options.csv ?? TELCO_CSV;
  const { records, labels } = toFeatureRows(parseCsv(await readFile(csvPath, 'utf8'), csvPath));
  const traffic = createTraffic({ records, labels: labels! }, { drift: 'gradual', total, seed: 7 });
  const predictors = {
    production: await createLitePredictor(production.onnx),
    challenger: await createLitePredictor(challenger.onnx),
  };
  const versions = { production: production.card.version, challenger: challenger.card.version };
  const end = options.end ?? Math.floor(Date.now() / 60_000) * 60_000;
  const start = end - 14 * 86_400_000;
  const share = options.feedbackShare ?? 0.4;
  const scoredBy = options.scoredBy ?? (() => 'production' as const);

  const row = (i: number) => ({
    id: predictionId(i),
    node: nodes[i % nodes.length]!,
    ts: Math.round(start + ((end - start) * i) / total),
    version: versions[scoredBy(i, total)],
  });

  const post = async (kind: 'predictions' | 'feedback', node: string, rows: unknown[]) => {
    const result = await server.call<{ accepted: number; duplicates: number; rejected: unknown[] }>(
      'POST',
      `/v1/ingest/${kind}`,
      { token: ingestTokens[node]!, json: { node_id: node, rows } },
    );
    if (result.rejected.length > 0) throw new Error(`ingest ${kind}: ${JSON.stringify(result.rejected[0])}`);
  };

  const ingest = async (from: number, to: number) => {
    let sent = { predictions: 0, feedback: 0 };
    for (let lo = from; lo < to; lo += INGEST_BATCH) {
      const hi = Math.min(to, lo + INGEST_BATCH);
      const byNode = new Map<string, { p: IngestPredictionRow[]; f: IngestFeedbackRow[] }>();
      const scored = new Map<'production' | 'challenger', number[]>();
      for (let i = lo; i < hi; i++) {
        const by = scoredBy(i, total);
        const list = scored.get(by);
        if (list) list.push(i);
        else scored.set(by, [i]);
      }
      const probability = new Map<number, number>();
      for (const [by, indexes] of scored) {
        const out = await predictors[by].predict(indexes.map((i) => traffic(i).features));
        for (const [k, i] of indexes.entries()) {
          probability.set(i, Math.min(1, Math.max(0, Math.round(out[k]! * 1e6) / 1e6)));
        }
      }
      for (let i = lo; i < hi; i++) {
        const t = traffic(i);
        const r = row(i);
        const p = probability.get(i)!;
        let group = byNode.get(r.node);
        if (!group) {
          group = { p: [], f: [] };
          byNode.set(r.node, group);
        }
        group.p.push({
          prediction_id: r.id,
          created_at: new Date(r.ts).toISOString(),
          node_id: r.node,
          model_version: r.version,
          features: t.features,
          probability: p,
          label: p >= 0.5 ? 1 : 0,
        });
        // Deterministic: the rows whose index hashes under the share get their true outcome a day later.
        if (((i * 2654435761) >>> 0) / 2 ** 32 < share) {
          group.f.push({
            prediction_id: r.id,
            outcome: t.outcome,
            created_at: new Date(r.ts + 86_400_000).toISOString(),
          });
        }
      }
      for (const [node, group] of byNode) {
        await post('predictions', node, group.p);
        if (group.f.length > 0) await post('feedback', node, group.f);
        sent = { predictions: sent.predictions + group.p.length, feedback: sent.feedback + group.f.length };
      }
    }
    return sent;
  };

  const first = await ingest(0, total);
  return {
    production: versions.production,
    challenger: versions.challenger,
    nodes,
    predictions: total,
    feedback: first.feedback,
    start,
    end,
    ingestTokens,
    row,
    ingest,
  };
}

/** Pages through a shape the way a client would (read token) and returns where it ends: handle, offset, rows. */
export async function shapeHead(
  server: RealSyncServer,
  table: string,
): Promise<{ handle: string; offset: string; rows: number }> {
  let offset = '-1';
  let handle: string | null = null;
  let rows = 0;
  for (;;) {
    const q = new URLSearchParams({ table, offset, ...(handle ? { handle } : {}) });
    const response = await server.request('GET', `/v1/shape?${q}`, { token: READ_TOKEN });
    if (!response.ok) throw new Error(`shape ${table}: ${response.status} ${await response.text()}`);
    const messages = (await response.json()) as { headers: { operation?: string } }[];
    rows += messages.filter((m) => m.headers.operation).length;
    handle = response.headers.get('electric-handle');
    offset = response.headers.get('electric-offset')!;
    if (response.headers.has('electric-up-to-date')) return { handle: handle!, offset, rows };
  }
}
