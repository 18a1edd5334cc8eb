// `npm run bench:desktop`: first sync of a large log into Chromium's IndexedDB, then drift analysis in the worker.
// Against the fake shape server by default; set PMM_SYNC_URL (and PMM_READ_TOKEN) to measure against a real sync server.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { FakeShapeServer } from '../test/fake-shape-server';
import { type FakeSyncHttp, startFakeSyncHttp } from '../test/fake-sync-http';
import { seedTelco } from '../test/telco-fixture';

const rows = Number(process.env['PMM_BENCH_ROWS'] ?? 100_000);
const csv = process.env['PMM_TELCO_CSV'] ?? '/work/shared/data/telco-customer-churn.csv';
const chromiumPath = process.env['PMM_CHROMIUM'] ?? '/usr/bin/chromium';
const desktop = fileURLToPath(new URL('..', import.meta.url));

let fake: FakeSyncHttp | undefined;
let serverUrl = process.env['PMM_SYNC_URL'];
if (!serverUrl) {
  if (!existsSync(csv)) throw new Error(`${csv} is missing (set PMM_TELCO_CSV)`);
  const shapes = new FakeShapeServer();
  shapes.pageSize = 5000;
  shapes.liveWaitMs = 1000;
  seedTelco(shapes, csv, rows);
  fake = await startFakeSyncHttp(shapes, { production: 'v1', challenger: 'v2' });
  serverUrl = fake.url;
}

const configFile = `${desktop}/vite.config.ts`;
await build({ configFile, logLevel: 'warn' });
const ui = await preview({ configFile, preview: { port: 5198, strictPort: false } });
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  const settings = JSON.stringify({ serverUrl, readToken: process.env['PMM_READ_TOKEN'] ?? '' });
  await context.addInitScript({
    content: `localStorage.setItem('pmm.settings', ${JSON.stringify(settings)});`,
  });
  const page = await context.newPage();
  const started = performance.now();
  await page.goto(ui.resolvedUrls!.local[0]!);
  // UI responsiveness during the first sync: the longest gap between animation frames. Scripts are passed as
  // strings because tsx's name helpers do not exist in the page.
  await page.evaluate(`(() => {
    window.__maxFrameGap = 0;
    let last = performance.now();
    const tick = (t) => { window.__maxFrameGap = Math.max(window.__maxFrameGap, t - last); last = t; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const expected = `${rows.toLocaleString('en-US')} predictions`;
  const indicator = page.locator('[data-testid=sync-indicator]');
  while (!((await indicator.textContent()) ?? '').includes(expected)) {
    if (performance.now() - started > 600_000) throw new Error('first sync did not finish in 10 minutes');
    await new Promise((r) => setTimeout(r, 250));
  }
  await page.locator('.sync-progress').waitFor({ state: 'detached', timeout: 600_000 });
  const syncSeconds = (performance.now() - started) / 1000;
  const maxFrameGapMs = (await page.evaluate('window.__maxFrameGap')) as number;

  await page.locator('fieldset[data-role=reference] select').first().selectOption('v1');
  await page.locator('fieldset[data-role=current]').getByLabel('Last N').fill('');
  const t0 = performance.now();
  await page.locator('[data-testid=run-drift]').click();
  await page.locator('[data-testid=drift-table] tbody tr').first().waitFor({ timeout: 600_000 });
  const driftSeconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify(
      {
        bench: 'desktop',
        rows,
        server: fake ? 'fake' : serverUrl,
        first_sync_seconds: Number(syncSeconds.toFixed(2)),
        rows_per_second: Math.round(rows / syncSeconds),
        max_frame_gap_ms: Math.round(maxFrameGapMs),
        drift_all_rows_seconds: Number(driftSeconds.toFixed(2)),
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await ui.close();
  await fake?.close();
}
