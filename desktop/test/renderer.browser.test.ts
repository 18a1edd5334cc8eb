// The renderer as a web page in Chromium: first sync with progress, CSV drift in the worker, export, offline promotion.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv, toCsv } from '@pmm/core/data';
import { driftReport, driftTablesFromCsv, renderDriftHtml } from '@pmm/core/drift';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeShapeServer } from './fake-shape-server';
import { type FakeSyncHttp, startFakeSyncHttp } from './fake-sync-http';
import { seedTelco } from './telco-fixture';

const CSV = process.env['PMM_TELCO_CSV'] ?? '/work/shared/data/telco-customer-churn.csv';
const CHROMIUM = process.env['PMM_CHROMIUM'] ?? '/usr/bin/chromium';
const DESKTOP = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = join(DESKTOP, 'screenshots');
const ROWS = 20_000;
const missing = [CSV, CHROMIUM].filter((p) => !existsSync(p));
if (missing.length > 0) console.warn(`renderer browser test skipped: missing ${missing.join(', ')}`);

describe.skipIf(missing.length > 0)('renderer in Chromium', () => {
  let server: PreviewServer | undefined;
  let sync: FakeSyncHttp;
  let browser: Browser;
  let page: Page;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'pmm-desktop-'));
  const refPath = join(dir, 'reference.csv');
  const curPath = join(dir, 'current.csv');
  const errors: string[] = [];

  beforeAll(async () => {
    // Reference: the first half of the Telco data; current: the second half, month-to-month contracts over-represented.
    const csv = parseCsv(readFileSync(CSV, 'utf8'), CSV);
    const contract = csv.header.indexOf('Contract');
    const half = Math.floor(csv.rows.length / 2);
    const later = csv.rows.slice(half);
    const current = [...later, ...later.filter((r) => r[contract] === 'Month-to-month')];
    writeFileSync(refPath, toCsv(csv.header, csv.rows.slice(0, half)));
    writeFileSync(curPath, toCsv(csv.header, current));

    const shapes = new FakeShapeServer();
    shapes.pageSize = 1000;
    shapes.liveWaitMs = 300;
    seedTelco(shapes, CSV, ROWS);
    sync = await startFakeSyncHttp(shapes, { production: 'v1', challenger: 'v2' });

    url = process.env['PMM_UI_URL'] ?? '';
    if (!url) {
      const configFile = join(DESKTOP, 'vite.config.ts');
      await build({ configFile, logLevel: 'warn' });
      server = await preview({ configFile, preview: { port: 5199, strictPort: false } });
      url = server.resolvedUrls!.local[0]!;
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({
      viewport: { width: 1360, height: 860 },
      acceptDownloads: true,
    });
    await context.addInitScript(
      ([serverUrl]) => {
        if (!localStorage.getItem('pmm.settings')) {
          localStorage.setItem('pmm.settings', JSON.stringify({ serverUrl, readToken: 'read-token' }));
          localStorage.setItem('pmm.adminToken', 'admin-token');
        }
      },
      [sync.url],
    );
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      // Chromium logs failed requests while the server is down; anything else is an app error.
      if (m.type() === 'error' && !/Failed to load resource|ERR_|fetch/i.test(m.text()))
        errors.push(m.text());
    });
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sync?.close();
  });

  it('runs the first sync in the background with a progress bar', async () => {
    await page.goto(url);
    const progress = page.locator('.sync-progress [role=progressbar]');
    await progress.waitFor({ timeout: 30_000 });
    // The UI stays usable while rows stream in.
    await page.locator('[data-tab=models]').click();
    await page.locator('[data-tab=analysis]').click();
    await page.screenshot({ path: join(SHOTS, 'sync-progress.png') });
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').textContent(), { timeout: 90_000 })
      .toContain(`${ROWS.toLocaleString('en-US')} predictions`);
    await progress.waitFor({ state: 'detached', timeout: 60_000 });
    expect(await page.locator('[data-testid=sync-indicator]').getAttribute('data-online')).toBe('true');
  });

  it('resumes from the stored handle and offset after a reload', async () => {
    sync.shapes.requests.length = 0;
    await page.reload();
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').getAttribute('data-online'), {
        timeout: 30_000,
      })
      .toBe('true');
    const first = sync.shapes.requests.find((u) => u.searchParams.get('table') === 'predictions');
    expect(first?.searchParams.get('offset')).toBe(`${ROWS}_0`);
    expect(first?.searchParams.get('handle')).toBe('handle-1');
    expect(await page.locator('[data-testid=sync-indicator]').textContent()).toContain(
      `${ROWS.toLocaleString('en-US')} predictions`,
    );
  });

  it('compares two imported CSVs in the worker and exports the same HTML as pmm drift', async () => {
    await page.locator('fieldset[data-role=reference]').getByLabel('CSV file').check();
    await page.setInputFiles('[data-testid=reference-csv]', refPath);
    await page.locator('fieldset[data-role=current]').getByLabel('CSV file').check();
    await page.setInputFiles('[data-testid=current-csv]', curPath);
    await page.locator('[data-testid=run-drift]').click();
    const rows = page.locator('[data-testid=drift-table] tbody tr');
    await rows.first().waitFor({ timeout: 60_000 });
    const tables = driftTablesFromCsv(
      parseCsv(readFileSync(refPath, 'utf8')),
      parseCsv(readFileSync(curPath, 'utf8')),
      { reference: 'reference.csv', current: 'current.csv' },
      { ignore: ['customerID'] },
    );
    const report = driftReport(tables.reference, tables.current);
    expect(report.number_of_drifted_columns).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=dataset-drift]').textContent()).toBe(
      report.dataset_drift ? 'Detected' : 'Not detected',
    );
    // Drifted columns first; Contract is the one we skewed.
    expect(await rows.first().locator('.pmm-badge').textContent()).toBe('Drift');
    const columns = await rows.locator('td.name').allInnerTexts();
    expect(columns.slice(0, 5)).toContain('Contract');
    expect(columns).not.toContain('customerID');
    await rows.filter({ hasText: 'Contract' }).first().click();
    await page.locator('.chart-pane .u-wrap').waitFor();
    await page.screenshot({ path: join(SHOTS, 'drift-csv.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid=export-report]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('drift-report.html');
    const html = readFileSync((await download.path())!, 'utf8');
    const expected = renderDriftHtml(report, {
      reference: 'reference.csv',
      current: 'current.csv',
      generatedAt: 'T',
    });
    const stripTime = (s: string) => s.replace(/Generated [^<·]*/g, 'Generated T');
    expect(stripTime(html)).toBe(stripTime(expected));
  });

  it("compares a window of the synced log with a model's reference profile", async () => {
    await page.locator('fieldset[data-role=reference]').getByLabel("Model's reference profile").check();
    await page.locator('fieldset[data-role=reference] select').first().selectOption('v1');
    await page.locator('fieldset[data-role=current]').getByLabel('Window of the log').check();
    await page.locator('fieldset[data-role=current]').getByLabel('Last N').fill('5000');
    await page.locator('[data-testid=run-drift]').click();
    await expect
      .poll(() => page.locator('.result-head .meta').textContent())
      .toContain('reference profile of v1');
    expect(await page.locator('[data-testid=drift-table] tbody tr').count()).toBe(19);
    await page.locator('[data-testid=drift-table] tbody tr').filter({ hasText: 'contract' }).first().click();
    await page.screenshot({ path: join(SHOTS, 'drift-window.png'), fullPage: true });
  });

  it('shows drift, predictions and performance over time', async () => {
    await page.locator('[data-tab=timeline]').click();
    const view = page.locator('.view.timeline');
    await view.locator('fieldset[data-role=reference] select').selectOption('v1');
    await view.getByRole('button', { name: 'Compute' }).click();
    await expect.poll(() => page.locator('.charts .u-wrap').count(), { timeout: 60_000 }).toBe(6);
    await page.screenshot({ path: join(SHOTS, 'timeline.png'), fullPage: true });
  });

  it('queues a promotion while the server is down and sends it once when it returns', async () => {
    await page.locator('[data-tab=models]').click();
    await page.getByRole('button', { name: 'Drift of both on this window' }).click();
    await page.locator('table.compare').nth(1).waitFor({ timeout: 60_000 });
    expect(await page.locator('table.compare').nth(1).textContent()).toContain('Drifted features');
    await expect
      .poll(() => page.locator('.compare-window .hint').textContent())
      .toContain('20,000 predictions');
    await page.screenshot({ path: join(SHOTS, 'models.png'), fullPage: true });

    sync.down = true;
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').getAttribute('data-online'), {
        timeout: 30_000,
      })
      .toBe('false');
    await page.getByRole('button', { name: /Promote challenger v2 to production/ }).click();
    await page
      .getByRole('dialog')
      .getByLabel(/Reason/)
      .fill('better AUC on the last two weeks');
    await page.getByRole('dialog').screenshot({ path: join(SHOTS, 'promote-confirm.png') });
    await page.getByRole('dialog').getByRole('button', { name: 'Promote' }).click();
    await expect
      .poll(() => page.locator('[data-testid=outbox-status]').first().textContent())
      .toContain('pending');
    // Analysis still works offline, on the local copy.
    await page.locator('[data-tab=analysis]').click();
    await page.locator('[data-testid=run-drift]').click();
    await page.locator('[data-testid=drift-table] tbody tr').first().waitFor();
    await page.locator('[data-tab=models]').click();
    await page.screenshot({ path: join(SHOTS, 'offline-queued.png') });
    expect(sync.aliasPosts).toHaveLength(0);

    sync.down = false;
    await expect
      .poll(() => page.locator('[data-testid=outbox-status]').first().textContent(), { timeout: 60_000 })
      .toContain('done');
    expect(sync.aliasPosts).toHaveLength(1);
    expect(sync.aliasPosts[0]!.body).toMatchObject({ alias: 'production', expected_version: 'v1' });
    expect(sync.aliases['production']).toBe('v2');
    // The server's alias history comes back through the shape stream.
    await expect
      .poll(() => page.locator('.panel').last().textContent(), { timeout: 30_000 })
      .toContain('better AUC on the last two weeks');
    await page.screenshot({ path: join(SHOTS, 'models-promoted.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
