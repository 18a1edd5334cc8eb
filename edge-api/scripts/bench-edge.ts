// Edge bench: gzip bundle size per engine (wrangler dry-run), then cold first prediction and warm latency
// (p50/p99 over N sequential requests) against `wrangler dev` on loopback, next to a no-op route. Prints JSON.
// Usage: tsx edge-api/scripts/bench-edge.ts [--requests 2000] [--engines ort,lite] [--port 8790]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { artifact, EXAMPLE_FEATURES, installBody } from '../test/fixtures';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WRANGLER = path.join(ROOT, 'node_modules/.bin/wrangler');
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' };

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    engines: { type: 'string', default: 'ort,lite' },
    port: { type: 'string', default: '8790' },
  },
});
const REQUESTS = Math.min(Math.max(Number(values.requests), 10), 10_000);
const ENGINES = values.engines.split(',').filter((e): e is 'ort' | 'lite' => e === 'ort' || e === 'lite');
const PORT = Number(values.port);
/** Hard cap for the whole run: the bench stops itself. */
const DEADLINE = Date.now() + 15 * 60_000;

const envArgs = (engine: 'ort' | 'lite') => (engine === 'lite' ? ['--env', 'lite'] : []);

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(WRANGLER, args, { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`wrangler ${args.join(' ')}:\n${out}`)),
    );
  });
}

/** gzip size of the modules wrangler would upload (source maps and README excluded). */
async function bundleSize(engine: 'ort' | 'lite') {
  const outdir = mkdtempSync(path.join(tmpdir(), `pmm-bundle-${engine}-`));
  try {
    await run(['deploy', '--dry-run', '--outdir', outdir, ...envArgs(engine)]);
    let raw = 0;
    let gzip = 0;
    const modules: Record<string, number> = {};
    for (const name of readdirSync(outdir)) {
      if (name.endsWith('.map') || name === 'README.md') continue;
      const bytes = readFileSync(path.join(outdir, name));
      const gz = gzipSync(bytes, { level: 9 }).length;
      raw += statSync(path.join(outdir, name)).size;
      gzip += gz;
      modules[name.replace(/^[0-9a-f]{40}-/, '')] = gz;
    }
    return {
      raw_bytes: raw,
      gzip_bytes: gzip,
      gzip_mb: +(gzip / 1024 / 1024).toFixed(2),
      gzip_by_module: modules,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function startDev(engine: 'ort' | 'lite', persist: string): Promise<ChildProcess> {
  const child = spawn(
    WRANGLER,
    [
      'dev',
      ...envArgs(engine),
      '--ip',
      '127.0.0.1',
      '--port',
      String(PORT),
      '--persist-to',
      persist,
      '--var',
      `EDGE_ADMIN_TOKEN:${ADMIN_TOKEN}`,
      '--log-level',
      'warn',
    ],
    { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${log}`);
    try {
      const r = await fetch(`http://127.0.0.1:${PORT}/livez`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  stopDev(child);
  throw new Error(`wrangler dev did not answer within 90 s:\n${log}`);
}

function stopDev(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve();
    child.once('exit', () => resolve());
    try {
      process.kill(-child.pid, 'SIGTERM'); // the process group: wrangler and its workerd
    } catch {
      resolve();
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
      resolve();
    }, 5000);
  });
}

async function timed(url: string, init?: RequestInit): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  await r.arrayBuffer();
  return { ms: performance.now() - t0, status: r.status };
}

function quantiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => +s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!.toFixed(3);
  return { n: s.length, p50_ms: q(0.5), p99_ms: q(0.99), max_ms: +s[s.length - 1]!.toFixed(3) };
}

async function series(url: string, init: RequestInit | undefined, n: number) {
  const ms: number[] = [];
  let errors = 0;
  for (let i = 0; i < n && Date.now() < DEADLINE; i++) {
    const r = await timed(url, init);
    if (r.status !== 200) errors++;
    ms.push(r.ms);
  }
  return { ...quantiles(ms), non_200: errors };
}

async function benchEngine(engine: 'ort' | 'lite') {
  const persist = mkdtempSync(path.join(tmpdir(), `pmm-dev-${engine}-`));
  const base = `http://127.0.0.1:${PORT}`;
  const predictInit = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ features: EXAMPLE_FEATURES }),
  };
  try {
    await run([
      'd1',
      'migrations',
      'apply',
      'pmm-edge',
      '--local',
      '--persist-to',
      persist,
      ...envArgs(engine),
    ]);
    // First start: install the model (stored in the persisted KV), then restart for a cold isolate.
    let dev = await startDev(engine, persist);
    const a = await artifact('bench-v1');
    const install = await fetch(`${base}/admin/models`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: installBody(a),
    });
    if (!install.ok) throw new Error(`install failed: ${install.status} ${await install.text()}`);
    await stopDev(dev);

    dev = await startDev(engine, persist); // /livez answered: the isolate is up, no model loaded yet
    try {
      const cold = await timed(`${base}/api/v1/predict`, predictInit);
      const probe = (await (await fetch(`${base}/api/v1/predict`, predictInit)).json()) as {
        probability: number;
      };
      const second = await timed(`${base}/api/v1/predict`, predictInit);
      // Warm-up, not measured.
      for (let i = 0; i < 50; i++) await timed(`${base}/api/v1/predict`, predictInit);
      const predict = await series(`${base}/api/v1/predict`, predictInit, REQUESTS);
      const noop = await series(`${base}/livez`, undefined, REQUESTS);
      const engineSeen = ((await (await fetch(`${base}/healthz`)).json()) as { engine: string }).engine;
      return {
        engine: engineSeen,
        cold_first_prediction_ms: +cold.ms.toFixed(1),
        cold_status: cold.status,
        example_probability: probe.probability,
        second_prediction_ms: +second.ms.toFixed(1),
        warm_predict: predict,
        noop_livez: noop,
        predict_overhead_p50_ms: +(predict.p50_ms - noop.p50_ms).toFixed(3),
      };
    } finally {
      await stopDev(dev);
    }
  } finally {
    rmSync(persist, { recursive: true, force: true });
  }
}

const result: Record<string, unknown> = {
  bench: 'edge',
  requests: REQUESTS,
  node: process.version,
  note: 'wrangler dev (workerd, local mode) on loopback; sequential requests; times include the HTTP round trip',
  bundle: {},
  latency: {},
};
for (const engine of ENGINES) (result.bundle as Record<string, unknown>)[engine] = await bundleSize(engine);
for (const engine of ENGINES) (result.latency as Record<string, unknown>)[engine] = await benchEngine(engine);
const latency = result.latency as Record<string, { example_probability: number }>;
if (latency.ort && latency.lite) {
  result.engines_max_abs_diff = Math.abs(latency.ort.example_probability - latency.lite.example_probability);
}
console.log(JSON.stringify(result, null, 2));
