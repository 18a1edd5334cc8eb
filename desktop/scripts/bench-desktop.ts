// `npm run bench:desktop`: the real sync server (PGlite, or PostgreSQL with DATABASE_URL) seeded with 100k
// predictions through its ingest API, the built renderer in Chromium: the first sync into IndexedDB (time, and the
// longest main-thread task meanwhile), then a drift analysis of all rows in the Web Worker, three times per fresh page:
// the first is cold (new worker, nothing cached), the others warm; then shadow scoring of every logged row by the
// challenger in the inference worker on WebAssembly (time, and the longest main-thread task meanwhile). JSON on stdout.
// Env: PMM_BENCH_ROWS (100000), PMM_BENCH_RUNS (3 first syncs, each into a fresh browser profile),
// PMM_TELCO_CSV, PMM_CHROMIUM.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, chromiumLaunchOptions } from '@pmm/test-support';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import {
  READ_TOKEN,
  type RealSyncServer,
  seedTelco,
  startRealSyncServer,
  TELCO_CSV,
  trainModels,
} from '../test/real-sync-server';

const rows = Number(process.env['PMM_BENCH_ROWS'] ?? 100_000);
const runs = Math.max(1, Number(process.env['PMM_BENCH_RUNS'] ?? 3));
const desktop = fileURLToPath(new URL('..', import.meta.url));
const log = (message: string) => process.stderr.write(`bench-desktop: ${message}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 0) => Number(x.toFixed(digits));

if (!existsSync(TELCO_CSV)) throw new Error(`${TELCO_CSV} is missing (set PMM_TELCO_CSV)`);
if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing (set PMM_CHROMIUM)`);

// Measures in the page, installed before the app's own scripts: long tasks (> 50 ms) on the main thread, and the
// longest gap between animation frames. A string, because tsx's helpers do not exist in the page.
const PROBES = `(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: Math.round(e.startTime), ms: Math.round(e.duration) });
  }).observe({ type: 'longtask', buffered: true });
  window.__maxFrameGap = 0;
  let last = performance.now();
  const tick = (t) => { window.__maxFrameGap = Math.max(window.__maxFrameGap, t - last); last = t; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})();`;

const workdir = await mkdtemp(path.join(tmpdir(), 'pmm-bench-desktop-'));
let sync: RealSyncServer | undefined;
let ui: Awaited<ReturnType<typeof preview>> | undefined;
let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
try {
  log('training two models (pmm train --seed 0|1)…');
  const models = await trainModels(workdir);
  sync = await startRealSyncServer();
  log(`sync server ${sync.url} (${sync.store.kind}); seeding ${rows.toLocaleString('en-US')} predictions…`);
  const seedStarted = performance.now();
  const seeded = await seedTelco(sync, { models, predictions: rows });
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const configFile = path.join(desktop, 'vite.config.ts');
  await build({ configFile, logLevel: 'warn' });
  ui = await preview({ configFile, preview: { port: 5198, strictPort: false } });
  const appUrl = ui.resolvedUrls!.local[0]!;
  browser = await chromium.launch(chromiumLaunchOptions());

  const expected = `${rows.toLocaleString('en-US')} predictions`;
  const syncRuns: { seconds: number; longestTaskMs: number; longTasks: number; maxFrameGapMs: number }[] = [];
  const driftRuns: { workerMs: number; wallSeconds: number; cold: boolean }[] = [];
  const shadowRuns: {
    wallSeconds: number;
    workerMs: number;
    scoreMs: number;
    loadMs: number;
    modelsMs: number;
    rows: number;
    longestTaskMs: number;
    cold: boolean;
  }[] = [];
  for (let run = 0; run < runs; run++) {
    // A fresh context: an empty IndexedDB, so every run is a first sync.
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    const settings = JSON.stringify({ serverUrl: sync.url, readToken: READ_TOKEN });
    await context.addInitScript({
      content: `localStorage.setItem('pmm.settings', ${JSON.stringify(settings)});\n${PROBES}`,
    });
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(appUrl);
    const indicator = page.locator('[data-testid=sync-indicator]');
    while (!((await indicator.textContent()) ?? '').includes(expected)) {
      if (performance.now() - started > 600_000) throw new Error('first sync did not finish in 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.locator('.sync-progress').waitFor({ state: 'detached', timeout: 600_000 });
    const seconds = (performance.now() - started) / 1000;
    const taskLog = (await page.evaluate('window.__longTasks')) as { start: number; ms: number }[];
    const tasks = taskLog.map((t) => t.ms);
    if (process.env['PMM_BENCH_DEBUG']) log(`long tasks (start ms, duration ms): ${JSON.stringify(taskLog)}`);
    const maxFrameGapMs = (await page.evaluate('window.__maxFrameGap')) as number;
    syncRuns.push({
      seconds,
      longestTaskMs: Math.max(0, ...tasks),
      longTasks: tasks.length,
      maxFrameGapMs,
    });
    log(
      `first sync ${run + 1}/${runs}: ${seconds.toFixed(2)} s, longest task ${Math.round(Math.max(0, ...tasks))} ms`,
    );

    // Drift of every synced row against the production model's reference profile, in the worker.
    await page.locator('fieldset[data-role=reference] select').first().selectOption(seeded.production);
    await page.locator('fieldset[data-role=current]').getByLabel('Last N').fill('');
    const meta = page.locator('.result-head .meta');
    for (let k = 0; k < 3; k++) {
      // Done = the button went to "Running…" and back (watched in the page, so a fast run is not missed).
      await page.evaluate(`(() => {
        window.__driftDone = false;
        const b = document.querySelector('[data-testid=run-drift]');
        let busy = false;
        const o = new MutationObserver(() => {
          if (b.textContent.startsWith('Running')) busy = true;
          else if (busy) { window.__driftDone = true; o.disconnect(); }
        });
        o.observe(b, { subtree: true, childList: true, characterData: true });
      })()`);
      const t0 = performance.now();
      await page.locator('[data-testid=run-drift]').click();
      // Polled with evaluate: the app's CSP forbids the eval that waitForFunction would need.
      while ((await page.evaluate('window.__driftDone')) !== true) {
        if (performance.now() - t0 > 600_000) throw new Error('drift analysis did not finish in 10 minutes');
        await new Promise((r) => setTimeout(r, 10));
      }
      const wallSeconds = (performance.now() - t0) / 1000;
      const text = (await meta.textContent()) ?? '';
      const workerMs = Number(/(\d+) ms in the worker/.exec(text)?.[1] ?? Number.NaN);
      const cur = await page.locator('text=/[\\d,]+ ref · [\\d,]+ cur/').textContent();
      if (!cur?.includes(`${rows.toLocaleString('en-US')} cur`)) throw new Error(`drift ran on ${cur}`);
      driftRuns.push({ workerMs, wallSeconds, cold: k === 0 });
    }

    // Shadow scoring: the challenger on every row production logged, on WebAssembly, in the inference worker.
    await page.locator('[data-tab=models]').click();
    const panel = page.locator('[data-testid=shadow-panel]');
    await panel.locator('[data-testid=shadow-backend]').selectOption('wasm');
    await panel.getByLabel('Last N').fill('');
    for (let k = 0; k < 3; k++) {
      await page.evaluate(`(() => {
        window.__longTasks = [];
        window.__shadowDone = false;
        const b = document.querySelector('[data-testid=run-shadow]');
        let busy = false;
        const o = new MutationObserver(() => {
          if (b.textContent.startsWith('Scoring')) busy = true;
          else if (busy) { window.__shadowDone = true; o.disconnect(); }
        });
        o.observe(b, { subtree: true, childList: true, characterData: true });
      })()`);
      const t0 = performance.now();
      await panel.locator('[data-testid=run-shadow]').click();
      while ((await page.evaluate('window.__shadowDone')) !== true) {
        if (performance.now() - t0 > 600_000) throw new Error('shadow scoring did not finish in 10 minutes');
        await new Promise((r) => setTimeout(r, 10));
      }
      const wallSeconds = (performance.now() - t0) / 1000;
      const error = await panel.locator('[data-testid=shadow-error]').count();
      if (error)
        throw new Error(`shadow scoring: ${await panel.locator('[data-testid=shadow-error]').textContent()}`);
      const text = (await panel.locator('[data-testid=shadow-meta]').textContent()) ?? '';
      const tasks = ((await page.evaluate('window.__longTasks')) as { ms: number }[]).map((t) => t.ms);
      shadowRuns.push({
        wallSeconds,
        workerMs: Number(/(\d+) ms in the worker/.exec(text)?.[1] ?? Number.NaN),
        scoreMs: Number(/(\d+) ms scoring/.exec(text)?.[1] ?? Number.NaN),
        loadMs: Number(/(\d+) ms loading/.exec(text)?.[1] ?? Number.NaN),
        modelsMs: Number(/(\d+) ms the models/.exec(text)?.[1] ?? Number.NaN),
        rows: Number(/^([\d,]+) rows/.exec(text)?.[1]?.replaceAll(',', '') ?? Number.NaN),
        longestTaskMs: Math.max(0, ...tasks),
        cold: k === 0,
      });
      log(
        `shadow ${k + 1}/3: ${wallSeconds.toFixed(2)} s (${/\d+ ms in the worker.*$/.exec(text)?.[0] ?? text})`,
      );
    }
    await context.close();
  }

  const longest = Math.max(...syncRuns.map((r) => r.longestTaskMs));
  const driftMs = median(driftRuns.map((r) => r.workerMs));
  // Cold: the first analysis in a fresh page (a new worker: nothing cached); warm: the repeats.
  const coldMs = median(driftRuns.filter((r) => r.cold).map((r) => r.workerMs));
  const warmMs = median(driftRuns.filter((r) => !r.cold).map((r) => r.workerMs));
  console.log(
    JSON.stringify(
      {
        bench: 'desktop',
        rows,
        server: sync.store.kind,
        seed: { seconds: round(seedSeconds, 2), predictions: rows, feedback: seeded.feedback },
        first_sync: {
          runs: syncRuns.length,
          median_seconds: round(median(syncRuns.map((r) => r.seconds)), 2),
          seconds: syncRuns.map((r) => round(r.seconds, 2)),
          rows_per_second: Math.round(rows / median(syncRuns.map((r) => r.seconds))),
        },
        main_thread: {
          longest_task_ms: round(longest),
          median_longest_task_ms: round(median(syncRuns.map((r) => r.longestTaskMs))),
          longest_task_ms_per_run: syncRuns.map((r) => round(r.longestTaskMs)),
          long_tasks_per_run: syncRuns.map((r) => r.longTasks),
          max_frame_gap_ms_per_run: syncRuns.map((r) => round(r.maxFrameGapMs)),
          goal_ms: 200,
          ok: longest < 200,
        },
        drift_all_rows: {
          median_worker_ms: round(driftMs),
          median_wall_seconds: round(median(driftRuns.map((r) => r.wallSeconds)), 3),
          worker_ms: driftRuns.map((r) => r.workerMs),
          median_cold_worker_ms: round(coldMs),
          median_warm_worker_ms: round(warmMs),
          cold_worker_ms: driftRuns.filter((r) => r.cold).map((r) => r.workerMs),
          goal_ms: 1000,
          ok: driftMs < 1000 && coldMs < 1000,
        },
        shadow_all_rows: {
          backend: 'wasm',
          rows: shadowRuns[0]?.rows,
          median_wall_seconds: round(median(shadowRuns.map((r) => r.wallSeconds)), 3),
          median_warm_wall_seconds: round(
            median(shadowRuns.filter((r) => !r.cold).map((r) => r.wallSeconds)),
            3,
          ),
          cold_wall_seconds: shadowRuns.filter((r) => r.cold).map((r) => round(r.wallSeconds, 3)),
          worker_ms: shadowRuns.map((r) => r.workerMs),
          score_ms: shadowRuns.map((r) => r.scoreMs),
          load_ms: shadowRuns.map((r) => r.loadMs),
          models_ms: shadowRuns.map((r) => r.modelsMs),
          longest_task_ms: round(Math.max(0, ...shadowRuns.map((r) => r.longestTaskMs))),
          longest_task_ms_per_run: shadowRuns.map((r) => round(r.longestTaskMs)),
          goal_seconds: 2,
          goal_task_ms: 100,
          ok:
            median(shadowRuns.map((r) => r.wallSeconds)) < 2 &&
            Math.max(0, ...shadowRuns.map((r) => r.longestTaskMs)) <= 100,
        },
      },
      null,
      2,
    ),
  );
} finally {
  await browser?.close();
  await ui?.close();
  await sync?.close();
  await rm(workdir, { recursive: true, force: true });
}
