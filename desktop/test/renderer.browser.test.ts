// The renderer as a web page in Chromium against the real sync server (child process; PGlite, or PostgreSQL with
// DATABASE_URL): first sync with progress, resume, CSV and window drift in the worker, export, timeline, then the
// server goes away — analysis goes on, a promotion and a note wait in the outbox and land once — an alias
// conflict, a promotion answered within 1 s while every table syncs live, and the centre's reports and runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv, toCsv } from '@pmm/core/data';
import { driftReport, readDriftTablesFromCsv, renderDriftHtml } from '@pmm/core/drift';
import { CHROMIUM_PATH, chromiumLaunchOptions, requireParts, screenshotPath } from '@pmm/test-support';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SYNCED_TABLES } from '../src/renderer/store/db';
import {
  ADMIN_TOKEN,
  loadModel,
  READ_TOKEN,
  type RealSyncServer,
  registerModel,
  type Seeded,
  seedTelco,
  setAlias,
  shapeHead,
  startRealSyncServer,
  TELCO_CSV,
} from './real-sync-server';

const CSV = TELCO_CSV;
const DESKTOP = fileURLToPath(new URL('..', import.meta.url));
const ROWS = 20_000;
const NOTE = 'Challenger looks better calibrated on edge-2; written offline';
const ready = requireParts('the renderer browser test', { 'Telco data': CSV, Chromium: CHROMIUM_PATH });

describe.skipIf(!ready)('renderer in Chromium', () => {
  let server: PreviewServer | undefined;
  let sync: RealSyncServer;
  let seeded: Seeded;
  /** Shape requests the page and its workers sent. */
  const shapeRequests: URL[] = [];
  /** Change long-polls (one request for every synced table) the sync worker sent. */
  const changeRequests: URL[] = [];
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
    // (the repeated customers get ids of their own: customerID stays an id, which `pmm drift` leaves out)
    const id = csv.header.indexOf('customerID');
    const current = [
      ...later,
      ...later
        .filter((r) => r[contract] === 'Month-to-month')
        .map((r) => r.map((cell, j) => (j === id ? `${cell}-again` : cell))),
    ];
    writeFileSync(refPath, toCsv(csv.header, csv.rows.slice(0, half)));
    writeFileSync(curPath, toCsv(csv.header, current));

    sync = await startRealSyncServer();
    seeded = await seedTelco(sync, { models: inject('pmmModels'), predictions: ROWS });

    url = process.env['PMM_UI_URL'] ?? '';
    if (!url) {
      const configFile = join(DESKTOP, 'vite.config.ts');
      await build({ configFile, logLevel: 'warn' });
      server = await preview({ configFile, preview: { port: 5199, strictPort: false } });
      url = server.resolvedUrls!.local[0]!;
    }
    browser = await chromium.launch(chromiumLaunchOptions());
    const context = await browser.newContext({
      viewport: { width: 1360, height: 860 },
      acceptDownloads: true,
    });
    await context.addInitScript(
      ([serverUrl, readToken, adminToken]) => {
        if (!localStorage.getItem('pmm.settings')) {
          localStorage.setItem('pmm.settings', JSON.stringify({ serverUrl, readToken }));
          localStorage.setItem('pmm.adminToken', adminToken!);
        }
      },
      [sync.url, READ_TOKEN, ADMIN_TOKEN],
    );
    context.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/v1/shape') shapeRequests.push(u);
      if (u.pathname === '/v1/shape-changes') changeRequests.push(u);
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      // Chromium logs failed requests while the server is down; anything else is an app error.
      if (m.type() === 'error' && !/Failed to load resource|ERR_|fetch/i.test(m.text()))
        errors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sync?.close();
    rmSync(dir, { recursive: true, force: true });
    if (sync && process.env['PMM_DEBUG_SYNC']) console.log(sync.output());
  });

  it('runs the first sync in the background with a progress bar', async () => {
    await page.goto(url);
    const progress = page.locator('.sync-progress [role=progressbar]');
    await progress.waitFor({ timeout: 30_000 });
    // The UI stays usable while rows stream in.
    await page.locator('[data-tab=models]').click();
    await page.locator('[data-tab=analysis]').click();
    // The picture once rows are streaming in (or right after, should the sync beat us to it).
    await page.waitForFunction(
      () => {
        const bar = document.querySelector('.sync-progress [role=progressbar]');
        return !bar || /: [1-9][\d,]* /.test(bar.getAttribute('aria-label') ?? '');
      },
      undefined,
      { polling: 'raf', timeout: 60_000 },
    );
    await page.screenshot({ path: screenshotPath('desktop', 'sync-progress') });
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').textContent(), { timeout: 90_000 })
      .toContain(`${ROWS.toLocaleString('en-US')} predictions`);
    await progress.waitFor({ state: 'detached', timeout: 60_000 });
    expect(await page.locator('[data-testid=sync-indicator]').getAttribute('data-online')).toBe('true');
  });

  it('resumes from the stored handle and offset after a reload', async () => {
    const head = await shapeHead(sync, 'predictions');
    expect(head.rows).toBe(ROWS);
    shapeRequests.length = 0;
    await page.reload();
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').getAttribute('data-online'), {
        timeout: 30_000,
      })
      .toBe('true');
    const first = shapeRequests.find((u) => u.searchParams.get('table') === 'predictions');
    expect(first?.searchParams.get('offset')).toBe(head.offset);
    expect(first?.searchParams.get('handle')).toBe(head.handle);
    expect(shapeRequests.filter((u) => u.searchParams.get('offset') === '-1')).toEqual([]);
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
    // the same reader and tables as `pmm drift` (customerID left out as an id), the WebAssembly kernels in the worker
    const tables = await readDriftTablesFromCsv(
      new Uint8Array(readFileSync(refPath)),
      new Uint8Array(readFileSync(curPath)),
      { reference: 'reference.csv', current: 'current.csv' },
    );
    expect(tables.reference.excluded?.map((e) => e.column)).toEqual(['customerID']);
    expect(await page.locator('[data-testid=kernels]').first().textContent()).toBe(
      'WebAssembly drift kernels',
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
    await page.screenshot({ path: screenshotPath('desktop', 'drift-csv'), fullPage: true });

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
    // Production is chosen at once, its aliases beside the version id, first in the list.
    const versions = page.locator('fieldset[data-role=reference] select').first();
    await expect.poll(() => versions.inputValue()).toBe(seeded.production);
    expect((await versions.locator('option').allTextContents()).slice(1, 3)).toEqual([
      `production · ${seeded.production}`,
      `challenger · ${seeded.challenger}`,
    ]);
    expect(await page.locator('[data-testid=run-drift]').isEnabled()).toBe(true);
    await versions.selectOption(seeded.production);
    await page.locator('fieldset[data-role=current]').getByLabel('Window of the log').check();
    await page.locator('fieldset[data-role=current]').getByLabel('Last N').fill('5000');
    await page.locator('[data-testid=run-drift]').click();
    // Generous: the worker computes the window's drift (1–3 s on a loaded machine).
    await expect
      .poll(() => page.locator('.result-head .meta').textContent(), { timeout: 30_000 })
      .toContain(`reference profile of ${seeded.production}`);
    expect(await page.locator('[data-testid=drift-table] tbody tr').count()).toBe(19);
    await page.locator('[data-testid=drift-table] tbody tr').filter({ hasText: 'contract' }).first().click();
    await page.screenshot({ path: screenshotPath('desktop', 'drift-window'), fullPage: true });
  });

  it('shows drift, predictions and performance over time', async () => {
    await page.locator('[data-tab=timeline]').click();
    const view = page.locator('.view.timeline');
    // Before Compute: production preselected, Compute enabled, and a hint saying what it will show.
    await expect
      .poll(() => view.locator('fieldset[data-role=reference] select').inputValue())
      .toBe(seeded.production);
    expect(await view.locator('[data-testid=timeline-hint]').textContent()).toContain('Press Compute');
    expect(await view.getByRole('button', { name: 'Compute' }).isEnabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('desktop', 'timeline-before') });
    await view.getByRole('button', { name: 'Compute' }).click();
    await expect.poll(() => page.locator('.charts .u-wrap').count(), { timeout: 60_000 }).toBe(6);
    // Legends name the series, with no "--" value placeholders.
    const legends = await page.locator('.charts .u-legend').allTextContents();
    expect(legends.length).toBe(6);
    for (const legend of legends) expect(legend).not.toContain('--');
    expect(await view.locator('[data-testid=timeline-hint]').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('desktop', 'timeline'), fullPage: true });
  });

  it('queues a promotion while the server is down and sends it once when it returns', async () => {
    await page.locator('[data-tab=models]').click();
    await page.getByRole('button', { name: 'Drift of both on this window' }).click();
    await page.locator('table.compare').nth(1).waitFor({ timeout: 60_000 });
    expect(await page.locator('table.compare').nth(1).textContent()).toContain('Drifted features');
    await expect
      .poll(() => page.locator('.compare-window .hint').textContent())
      .toContain('20,000 predictions');
    await page.screenshot({ path: screenshotPath('desktop', 'models'), fullPage: true });

    await sync.stop();
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').getAttribute('data-online'), {
        timeout: 30_000,
      })
      .toBe('false');
    const promote = new RegExp(`Promote challenger ${seeded.challenger} to production`);
    await page.getByRole('button', { name: promote }).click();
    await page
      .getByRole('dialog')
      .getByLabel(/Reason/)
      .fill('better AUC on the last two weeks');
    await page.getByRole('dialog').screenshot({ path: screenshotPath('desktop', 'promote-confirm') });
    await page.getByRole('dialog').getByRole('button', { name: 'Promote' }).click();
    await expect
      .poll(() => page.locator('[data-testid=outbox-status]').first().textContent())
      .toContain('pending');
    // Still offline, the analyst writes a note on the challenger: it shows at once, pending, from the outbox.
    const notes = page.locator('[data-testid=notes-panel]');
    expect(await notes.locator('[data-testid=notes-version]').inputValue()).toBe(seeded.challenger);
    await notes.locator('[data-testid=note-text]').fill(NOTE);
    await notes.locator('[data-testid=add-note]').click();
    const note = notes.locator('[data-testid=note]', { hasText: NOTE });
    await expect.poll(() => note.getAttribute('data-state')).toBe('pending');
    expect(await note.getAttribute('data-source')).toBe('outbox');
    expect(await note.locator('[data-testid=note-author]').textContent()).toBe('you');
    expect(await notes.locator('[data-testid=note-text]').inputValue()).toBe('');
    await expect
      .poll(() => page.locator('[data-testid=outbox-status]').allTextContents())
      .toEqual(['pending', 'pending']);
    await notes.screenshot({ path: screenshotPath('desktop', 'note-pending') });
    // Analysis still works offline, on the local copy.
    await page.locator('[data-tab=analysis]').click();
    await page.locator('[data-testid=run-drift]').click();
    await page.locator('[data-testid=drift-table] tbody tr').first().waitFor();
    await page.locator('[data-tab=models]').click();
    await page.screenshot({ path: screenshotPath('desktop', 'offline-queued') });
    // The queued note survived the trip to the analysis tab (it lives in the outbox, not in component state).
    expect(await note.getAttribute('data-state')).toBe('pending');

    await sync.restart();
    // Nothing reached the server while it was down.
    expect(await productionHistory()).toHaveLength(1);
    expect(await challengerNotes()).toEqual([]);
    // The app sees the server back within seconds (not when a held live request ends, ~20 s later; the bound
    // is generous for a loaded 2-core machine, where the restarted server itself takes seconds to answer).
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').getAttribute('data-online'), {
        timeout: 15_000,
      })
      .toBe('true');
    // Both queued writes go out, in order: the promotion, then the note.
    await expect
      .poll(() => page.locator('[data-testid=outbox-status]').allTextContents(), { timeout: 60_000 })
      .toEqual(['done', 'done']);
    // The note landed once, by the analyst (admin token), and comes back through the notes shape as sent:
    // one entry (the server's copy replaces the outbox's).
    expect(await challengerNotes()).toEqual([
      expect.objectContaining({ text: NOTE, author: 'admin:env-admin', subject_id: seeded.challenger }),
    ]);
    await expect.poll(() => note.getAttribute('data-source'), { timeout: 90_000 }).toBe('server');
    expect(await note.getAttribute('data-state')).toBe('sent');
    expect(await note.locator('[data-testid=note-author]').textContent()).toBe('admin:env-admin');
    expect(await notes.locator('[data-testid=note]', { hasText: NOTE }).count()).toBe(1);
    await notes.screenshot({ path: screenshotPath('desktop', 'note-synced') });
    // Exactly one alias change, with the analyst's reason and the version they saw as expected.
    const history = await productionHistory();
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({
      from_version: seeded.production,
      to_version: seeded.challenger,
      reason: 'better AUC on the last two weeks',
      actor: 'admin:env-admin',
    });
    const card = await sync.call<{ version: string }>('GET', '/v1/models/@production', { token: READ_TOKEN });
    expect(card.version).toBe(seeded.challenger);
    // The server's alias history comes back through the shape stream.
    await expect
      .poll(() => page.locator('.panel').last().textContent(), { timeout: 30_000 })
      .toContain('better AUC on the last two weeks');
    // The promoted challenger is no longer the challenger: the server cleared the alias and the app says so.
    await expect
      .poll(() => page.locator('[data-testid=no-challenger]').textContent(), { timeout: 30_000 })
      .toContain(`No challenger: ${seeded.challenger} was promoted to production`);
    expect(await page.locator('[data-testid=current-aliases]').textContent()).toBe(
      `production ${seeded.challenger} · challenger (none)`,
    );
    expect(await page.locator('table.compare').count()).toBe(0);
    const { aliases } = await sync.call<{ aliases: { alias: string }[] }>('GET', '/v1/aliases', {
      token: READ_TOKEN,
    });
    expect(aliases.map((a) => a.alias)).toEqual(['production']);
    expect(
      await page.locator('.panel', { hasText: 'Alias history' }).locator('tbody tr').first().textContent(),
    ).toMatch(/\(cleared\)admin:env-admin\s*promoted to production: a model is not its own challenger$/);
    await page.screenshot({ path: screenshotPath('desktop', 'models-promoted'), fullPage: true });
    // A reload re-flushes nothing: still one change.
    await page.reload();
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').getAttribute('data-online'), {
        timeout: 30_000,
      })
      .toBe('true');
    expect(await productionHistory()).toHaveLength(2);
    expect(await challengerNotes()).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('shows a conflict when production moved on the server while a rollback waited offline', async () => {
    await page.locator('[data-tab=models]').click();
    // The server crashes; the analyst decides to roll back while it is away.
    await sync.kill();
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').getAttribute('data-online'), {
        timeout: 30_000,
      })
      .toBe('false');
    await page
      .getByRole('button', { name: new RegExp(`Roll back production to ${seeded.production}`) })
      .click();
    await page
      .getByRole('dialog')
      .getByLabel(/Reason/)
      .fill('challenger misbehaves on edge-2');
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    await expect
      .poll(() => page.locator('[data-testid=outbox-status]').first().textContent())
      .toContain('pending');

    // Meanwhile the server comes back on another address the app does not use, and the on-call engineer
    // registers a hotfix model and makes it production.
    await sync.restart({ port: 0 });
    const hotfix = await loadModel(inject('pmmHotfixModel'));
    await registerModel(sync, hotfix);
    const moved = await setAlias(sync, 'production', hotfix.card.version, {
      reason: 'hotfix by on-call',
      expected_version: seeded.challenger,
    });
    expect(moved.status).toBe(200);
    expect(await page.locator('[data-testid=sync-indicator]').getAttribute('data-online')).toBe('false');

    // Back at its usual address: the queued rollback meets the moved alias.
    await sync.restart();
    await expect
      .poll(() => page.locator('[data-testid=outbox-status]').first().textContent(), { timeout: 60_000 })
      .toContain('conflict');
    const status = page.locator('[data-testid=outbox-status]').first();
    expect(await status.textContent()).toContain(
      `production is now ${hotfix.card.version} on the server (you expected ${seeded.challenger})`,
    );
    await expect
      .poll(() => page.locator('[data-testid=current-aliases]').textContent(), { timeout: 30_000 })
      .toContain(`production ${hotfix.card.version}`);
    // The hotfix's card (metrics, reference profile) arrives through the models shape.
    await expect
      .poll(() => page.locator('.panel', { hasText: 'Versions' }).textContent(), { timeout: 30_000 })
      .toContain(hotfix.card.version);
    await page.screenshot({ path: screenshotPath('desktop', 'conflict'), fullPage: true });
    // The rollback did not happen: the hotfix is production, and the history has no rollback entry.
    const card = await sync.call<{ version: string }>('GET', '/v1/models/@production', { token: READ_TOKEN });
    expect(card.version).toBe(hotfix.card.version);
    const history = await productionHistory();
    expect(history.map((h) => h.reason)).toEqual([
      'hotfix by on-call',
      'better AUC on the last two weeks',
      'first model',
    ]);
    // The analyst drops the stale decision.
    await page.locator('tr.conflict').getByRole('button', { name: 'Discard' }).click();
    await expect.poll(() => status.textContent()).toContain('discarded');
    expect(await productionHistory()).toHaveLength(3);
    expect(errors).toEqual([]);
  });

  it('promotes within 1 s while every table is synced live, and links the alias history to the drift report', async () => {
    // New traffic, a drift report on it from the centre, and a challenger to promote.
    await seeded.ingest(ROWS, ROWS + 500);
    const report = await sync.call<{ id: string; drift_share: number }>('POST', '/v1/drift/run', {
      json: { model_version: seeded.production, window: { last_n: 500 } },
    });
    expect(
      (await setAlias(sync, 'challenger', seeded.production, { reason: 'try the first model again' })).status,
    ).toBe(200);
    await page.locator('[data-tab=models]').click();
    const promote = page.getByRole('button', { name: new RegExp(`Promote challenger ${seeded.production}`) });
    await promote.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').getAttribute('data-online'), {
        timeout: 30_000,
      })
      .toBe('true');
    // Every table is at its live edge, followed by one held change request that watches them all.
    changeRequests.length = 0;
    await expect
      .poll(() => changeRequests.at(-1)?.searchParams.getAll('watch').length ?? 0, { timeout: 30_000 })
      .toBe(SYNCED_TABLES.length);
    await new Promise((r) => setTimeout(r, 1_500));

    // Measured in the page: from the click on Promote to the end of the server's answer to the alias POST.
    await page.evaluate(() => {
      const w = window as unknown as { promotion: { click: number | null; answered: number | null } };
      w.promotion = { click: null, answered: null };
      document.addEventListener(
        'click',
        (e) => {
          if ((e.target as Element).closest('[role=dialog] button.primary')) w.promotion.click = e.timeStamp;
        },
        true,
      );
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          if (/\/v1\/models\/[^/]+\/aliases$/.test(entry.name))
            w.promotion.answered = (entry as PerformanceResourceTiming).responseEnd;
        }
      }).observe({ type: 'resource' });
    });
    await promote.click();
    const reason = `after drift report ${report.id}: drift share ${report.drift_share.toFixed(3)}`;
    await page
      .getByRole('dialog')
      .getByLabel(/Reason/)
      .fill(reason);
    await page.getByRole('dialog').getByRole('button', { name: 'Promote' }).click();
    const timing = () =>
      page.evaluate(
        () =>
          (window as unknown as { promotion: { click: number | null; answered: number | null } }).promotion,
      );
    await expect.poll(async () => (await timing()).answered, { timeout: 30_000 }).not.toBeNull();
    const { click, answered } = await timing();
    const ms = answered! - click!;
    console.log(`promotion with every shape live: ${ms.toFixed(0)} ms from click to the server's answer`);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(1_000);
    const card = await sync.call<{ version: string }>('GET', '/v1/models/@production', { token: READ_TOKEN });
    expect(card.version).toBe(seeded.production);

    // The alias history names the report; its link opens the report in the reports view.
    const history = page.locator('.panel', { hasText: 'Alias history' });
    const mention = history
      .locator('[data-testid=mention]', { hasText: `drift report ${report.id}` })
      .first();
    await mention.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: screenshotPath('desktop', 'models-challenger-cleared'), fullPage: true });
    await mention.click();
    const detail = page.locator('[data-testid=report-detail]');
    await detail.waitFor({ timeout: 30_000 });
    expect(await detail.locator('h3').textContent()).toContain(`Drift report ${report.id}`);
    expect(
      await page.locator(`[data-testid=drift-report][data-id="${report.id}"]`).getAttribute('class'),
    ).toContain('selected');
    expect(await detail.locator('.pmm-drift-table tbody tr').count()).toBe(19);
    expect(errors).toEqual([]);
  });

  it('lists the retraining runs with why they ran, their result and challenger, linked to their report', async () => {
    const reports = await sync.call<{ reports: { id: string; drift_share: number }[] }>(
      'GET',
      '/v1/drift/reports',
      {
        token: READ_TOKEN,
      },
    );
    const report = reports.reports[0]!;
    const reason = `drift report ${report.id}: drift share ${report.drift_share.toFixed(3)}`;
    const started = await sync.call<{ id: string }>('POST', '/v1/retrain', { json: { reason } });
    await expect
      .poll(
        async () =>
          (
            await sync.call<{ status: string }>('GET', `/v1/retrain/runs/${started.id}`, {
              token: READ_TOKEN,
            })
          ).status,
        { timeout: 60_000 },
      )
      .not.toBe('running');
    const run = await sync.call<{ status: string; details: { error?: string } }>(
      'GET',
      `/v1/retrain/runs/${started.id}`,
      {
        token: READ_TOKEN,
      },
    );
    await page.locator('[data-tab=models]').click();
    await page.getByRole('button', { name: 'Drift reports and retraining runs →' }).click();
    const row = page.locator(`[data-testid=retrain-run][data-id="${started.id}"]`);
    await row.waitFor({ timeout: 30_000 });
    const text = await row.textContent();
    expect(text).toContain(`manual: ${reason}`);
    expect(text).toContain(run.status);
    if (run.details.error) expect(text).toContain(run.details.error);
    await row.locator('[data-testid=mention]').click();
    await expect
      .poll(() => page.locator('[data-testid=report-detail] h3').textContent())
      .toContain(`Drift report ${report.id}`);
    await page.screenshot({ path: screenshotPath('desktop', 'reports'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("shows the centre's estimated and realized ROC AUC, reconstruction error and alarms per drift window over time", async () => {
    type Monitor = {
      window: {
        performance: { metrics: { roc_auc: { estimate: number; realized: number | null } } };
        multivariate: { status: string; value: number };
      };
    };
    const runs: { id: string; monitor: Monitor }[] = [];
    for (const [from, to] of [
      [seeded.start, seeded.start + 2 * 86_400_000],
      [seeded.end - 2 * 86_400_000, seeded.end],
    ])
      runs.push(
        await sync.call<{ id: string; monitor: Monitor }>('POST', '/v1/drift/run', {
          json: {
            model_version: seeded.production,
            window: { last_n: 2000, from: new Date(from!).toISOString(), to: new Date(to!).toISOString() },
          },
        }),
      );
    await page.locator('[data-tab=timeline]').click();
    const panel = page.locator('[data-testid=monitor-panel]');
    const versionSelect = panel.locator('select');
    if ((await versionSelect.count()) > 0) await versionSelect.selectOption(seeded.production);
    for (const run of runs) {
      const row = panel.locator(`[data-testid=monitor-windows] tr[data-id="${run.id}"]`);
      await row.waitFor({ state: 'attached', timeout: 30_000 });
      const { roc_auc } = run.monitor.window.performance.metrics;
      // Seeded with feedback for 40 % of the rows: the estimate and the realized value stand side by side.
      expect(roc_auc.realized).not.toBeNull();
      expect(await row.locator('[data-col=estimate]').textContent()).toBe(roc_auc.estimate.toFixed(3));
      expect(await row.locator('[data-col=realized]').textContent()).toBe(roc_auc.realized!.toFixed(3));
      expect(run.monitor.window.multivariate.status).toBe('ok');
      expect(await row.locator('[data-col=reconstruction]').textContent()).toBe(
        run.monitor.window.multivariate.value.toFixed(3),
      );
    }
    expect(await panel.locator('[data-testid=monitor-estimate] .value').textContent()).toMatch(/^0\.\d{3}$/);
    expect(await panel.locator('[data-testid=monitor-reconstruction] .value').textContent()).toMatch(
      /^\d+\.\d{3}$/,
    );
    expect(await panel.locator('[data-testid=multivariate-meaning]').textContent()).toContain(
      'relations between columns changed',
    );
    // Estimated vs realized ROC AUC, the reconstruction error, and the univariate drift share beside it.
    expect(await panel.locator('.u-wrap').count()).toBe(3);
    const legends = await panel.locator('.u-legend').allTextContents();
    expect(legends[0]).toContain('estimated ROC AUC');
    expect(legends[0]).toContain('realized ROC AUC');
    expect(legends[1]).toContain('reconstruction error');
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('desktop', 'timeline-monitor'), fullPage: true });
    expect(errors).toEqual([]);
  });

  async function challengerNotes() {
    const q = new URLSearchParams({ subject_type: 'model', subject_id: seeded.challenger });
    const { notes } = await sync.call<{
      notes: { id: string; subject_id: string; text: string; author: string }[];
    }>('GET', `/v1/notes?${q}`, { token: READ_TOKEN });
    return notes;
  }

  async function productionHistory() {
    const { history } = await sync.call<{
      history: {
        from_version: string | null;
        to_version: string | null;
        reason: string | null;
        actor: string;
      }[];
    }>('GET', '/v1/aliases/history?alias=production', { token: READ_TOKEN });
    return history;
  }
});
