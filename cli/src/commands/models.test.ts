// `pmm models` through the real executable against the REAL sync server (@pmm/sync-server/test-server: PGlite,
// or a scratch PostgreSQL database when DATABASE_URL is set): register under a name, list, move an alias, and
// one-line errors for a server that is down, a bad token and a refused request.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sha256Hex, toCsv } from '@pmm/core/data';
import { inferSchema, tableToRows } from '@pmm/core/schema';
import { syntheticTable } from '@pmm/core/simulate';
import { trainArtifact } from '@pmm/core/train';
import { type RealSyncServer, startRealSyncServer } from '@pmm/sync-server/test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCleanFailure, runCli } from '../util/run-cli';

const ADMIN = 'cli-models-admin-token-0123456789';
const READ = 'cli-models-read-token-0123456789';

let server: RealSyncServer;
let dir: string;
let v1: string;
let v2: string;

/** A fraud model (not Telco) trained in-process, written as two artifact folders (two versions). */
async function writeModels(): Promise<void> {
  const table = syntheticTable({ rows: 600, seed: 9, airports: 12, signals: 2 });
  const { schema } = inferSchema(table, { target: table.target, positive: table.positive });
  const rows = tableToRows(table, schema);
  const artifact = await trainArtifact({
    records: rows.records,
    labels: rows.labels!,
    schema,
    versionPrefix: 'fraud',
    trainingDataSha256: await sha256Hex(toCsv(table.header, table.rows)),
    options: { seed: 2, epochs: 3 },
  });
  v1 = artifact.card.version;
  v2 = `${v1}-b`;
  for (const [folder, version] of [
    ['v1', v1],
    ['v2', v2],
  ] as const) {
    const out = path.join(dir, folder);
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, 'model.onnx'), artifact.onnx);
    await writeFile(path.join(out, 'model.json'), JSON.stringify({ ...artifact.card, version }));
  }
}

const pmm = (args: string[], env: Record<string, string> = {}) =>
  runCli(['models', ...args], { env: { PMM_SERVER: '', PMM_TOKEN: '', ...env } });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pmm-cli-models-'));
  [server] = await Promise.all([
    startRealSyncServer({ adminToken: ADMIN, readToken: READ, name: 'pmm_cli_models' }),
    writeModels(),
  ]);
});
afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pmm models', () => {
  it('registers a model folder under a name and points production at it (server and token from the environment)', async () => {
    const run = pmm(
      [
        'register',
        '--name',
        'fraud',
        '--model',
        path.join(dir, 'v1'),
        '--alias',
        'production',
        '--reason',
        'first',
      ],
      { PMM_SERVER: server.url, PMM_TOKEN: ADMIN },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([`registered fraud ${v1}`, `fraud: production → ${v1}`]);
    const served = await server.call<{ models: { name: string; version: string }[] }>(
      'GET',
      '/v1/served-models',
    );
    expect(served.models).toEqual([{ name: 'fraud', version: v1 }]);
    const history = await server.call<{ history: { name: string; reason: string; actor: string }[] }>(
      'GET',
      '/v1/aliases/history?name=fraud',
    );
    expect(history.history[0]).toMatchObject({ name: 'fraud', reason: 'first' });
  });

  it('registers with flags, lists names with versions and aliases, and moves an alias', async () => {
    const registered = pmm([
      'register',
      '--server',
      server.url,
      '--token',
      ADMIN,
      '--name',
      'fraud',
      '--model',
      path.join(dir, 'v2'),
      '--format',
      'json',
    ]);
    expect(registered.code, registered.stderr).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({
      registered: { name: 'fraud', version: v2 },
      alias: null,
    });

    const listed = pmm(['list', '--format', 'json'], { PMM_SERVER: server.url, PMM_TOKEN: READ });
    expect(listed.code, listed.stderr).toBe(0);
    const registry = JSON.parse(listed.stdout) as {
      models: {
        name: string;
        aliases: { alias: string; version: string }[];
        versions: { version: string }[];
      }[];
    };
    expect(registry.models.map((m) => m.name)).toEqual(['fraud']);
    expect(registry.models[0]!.aliases.map((a) => [a.alias, a.version])).toEqual([['production', v1]]);
    expect(registry.models[0]!.versions.map((v) => v.version).sort()).toEqual([v1, v2].sort());

    const moved = pmm(
      ['alias', '--name', 'fraud', '--alias', 'production', '--version', v2, '--reason', 'better'],
      { PMM_SERVER: server.url, PMM_TOKEN: ADMIN },
    );
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout.trim()).toBe(`fraud: production → ${v2} (was ${v1})`);

    const text = pmm(['list', '--server', server.url, '--token', READ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe(`fraud  production=${v2}`);
    expect(text.stdout).toContain(`  ${v2} `);
  });

  it('fails with one line: server down, no token, a refused token, a refused request, a bad name', () => {
    const down = pmm(['list', '--server', 'http://127.0.0.1:9', '--token', READ]);
    expect(isCleanFailure(down), down.stderr).toBe(true);
    expect(down.stderr).toContain('cannot reach the sync server at http://127.0.0.1:9');

    const noToken = pmm(['list', '--server', server.url]);
    expect(isCleanFailure(noToken), noToken.stderr).toBe(true);
    expect(noToken.stderr).toContain('PMM_TOKEN');

    const badToken = pmm(['list', '--server', server.url, '--token', 'not-a-token-0123456789']);
    expect(isCleanFailure(badToken), badToken.stderr).toBe(true);
    expect(badToken.stderr).toContain('401');

    const unknown = pmm(['alias', '--name', 'fraud', '--alias', 'production', '--version', 'fraud-nope'], {
      PMM_SERVER: server.url,
      PMM_TOKEN: ADMIN,
    });
    expect(isCleanFailure(unknown), unknown.stderr).toBe(true);
    expect(unknown.stderr.trim()).toBe(
      'pmm: the sync server answered 404: model version fraud-nope is not registered',
    );

    const readOnly = pmm(['alias', '--name', 'fraud', '--alias', 'production', '--version', v1], {
      PMM_SERVER: server.url,
      PMM_TOKEN: READ,
    });
    expect(isCleanFailure(readOnly), readOnly.stderr).toBe(true);
    expect(readOnly.stderr).toContain('403');

    const badName = pmm(['register', '--name', 'Fraud Model', '--model', path.join(dir, 'v1')], {
      PMM_SERVER: server.url,
      PMM_TOKEN: ADMIN,
    });
    expect(isCleanFailure(badName), badName.stderr).toBe(true);
    expect(badName.stderr).toContain('--name');
  });
});
