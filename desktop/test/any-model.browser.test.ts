// A model that is not Telco, analysed in the app (Chromium, the real sync server): its schema's columns (names with
// spaces) drive the analysis, the header's model picker switches between names and every view follows it, and drift
// runs on the WebAssembly kernels in the worker with the numbers core computes.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseCsv, toCsv } from '@pmm/core/data';
import { driftReport, driftTablesFromProfile, type ReferenceProfile } from '@pmm/core/drift';
import { syntheticTable } from '@pmm/core/simulate';
import { CHROMIUM_PATH, chromiumLaunchOptions, requireParts } from '@pmm/test-support';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ADMIN_TOKEN,
  loadModel,
  READ_TOKEN,
  type RealSyncServer,
  registerModel,
  setAlias,
  startRealSyncServer,
  type TrainedModel,
} from './real-sync-server';

const DESKTOP = fileURLToPath(new URL('..', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ready = requireParts('the any-model browser test', { Chromium: CHROMIUM_PATH });

describe.skipIf(!ready)('a model that is not Telco, in the app', () => {
  let server: PreviewServer | undefined;
  let sync: RealSyncServer;
  let browser: Browser;
  let page: Page;
  let url: string;
  let fraud: TrainedModel;
  let churn: TrainedModel;
  const dir = mkdtempSync(join(tmpdir(), 'pmm-desktop-any-'));
  const trainPath = join(dir, 'fraud train.csv');
  const currentPath = join(dir, 'fraud current.csv');
  const errors: string[] = [];

  beforeAll(async () => {
    // Training rows, and later rows whose amounts tripled.
    const table = syntheticTable({ rows: 3000, seed: 5 });
    writeFileSync(trainPath, toCsv(table.header, table.rows.slice(0, 2000)));
    const amount = table.header.indexOf('Amount USD');
    const later = table.rows
      .slice(2000)
      .map((r) => r.map((c, j) => (j === amount ? (Number(c) * 3).toFixed(2) : c)));
    writeFileSync(currentPath, toCsv(table.header, later));
    const out = join(dir, 'fraud-model');
    await promisify(execFile)(
      process.execPath,
      [
        join(REPO, 'cli/bin/pmm.js'),
        'train',
        '--data',
        trainPath,
        '--target',
        'Is Fraud',
        '--positive',
        'fraud',
        '--out',
        out,
      ],
      { cwd: REPO, maxBuffer: 16 * 1024 * 1024 },
    );
    [fraud, churn] = await Promise.all([loadModel(out), loadModel(inject('pmmModels').production)]);

    sync = await startRealSyncServer();
    await registerModel(sync, churn);
    await registerModel(sync, fraud, 'fraud');
    for (const version of [churn.card.version, fraud.card.version]) {
      const r = await setAlias(sync, 'production', version, { reason: 'first model' });
      expect(r.ok, await r.text()).toBe(true);
    }

    url = process.env['PMM_UI_URL'] ?? '';
    if (!url) {
      const configFile = join(DESKTOP, 'vite.config.ts');
      await build({ configFile, logLevel: 'warn' });
      server = await preview({ configFile, preview: { port: 5198, strictPort: false } });
      url = server.resolvedUrls!.local[0]!;
    }
    browser = await chromium.launch(chromiumLaunchOptions());
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    await context.addInitScript(
      ([serverUrl, readToken, adminToken]) => {
        if (!localStorage.getItem('pmm.settings')) {
          localStorage.setItem('pmm.settings', JSON.stringify({ serverUrl, readToken }));
          localStorage.setItem('pmm.adminToken', adminToken!);
        }
      },
      [sync.url, READ_TOKEN, ADMIN_TOKEN],
    );
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource|ERR_|fetch/i.test(m.text()))
        errors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sync?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the registered names in the model picker once the models are synced', async () => {
    await page.goto(url);
    const versions = page.locator('fieldset[data-role=reference] select').first();
    await page.locator('fieldset[data-role=reference]').getByLabel("Model's reference profile").check();
    // The centre registered the fraud version under its own name: it syncs with its `name` column.
    await expect
      .poll(() => page.locator('[data-testid=model-picker] option').allTextContents(), { timeout: 60_000 })
      .toEqual(['churn', 'fraud']);
    expect((await versions.locator('option').allTextContents()).join('|')).not.toContain(fraud.card.version);
    await page.reload();
    const picker = page.locator('[data-testid=model-picker]');
    await expect
      .poll(() => picker.locator('option').allTextContents(), { timeout: 30_000 })
      .toEqual(['churn', 'fraud']);
    expect(await picker.inputValue()).toBe('churn');
  });

  it("shows only the picked name's versions and aliases in every view", async () => {
    const picker = page.locator('[data-testid=model-picker]');
    await page.locator('fieldset[data-role=reference]').getByLabel("Model's reference profile").check();
    const versions = page.locator('fieldset[data-role=reference] select').first();
    await expect.poll(() => versions.inputValue()).toBe(churn.card.version);
    expect((await versions.locator('option').allTextContents()).join('|')).not.toContain(fraud.card.version);
    await picker.selectOption('fraud');
    await expect.poll(() => versions.inputValue()).toBe(fraud.card.version);
    expect((await versions.locator('option').allTextContents()).slice(1)).toEqual([
      `production · ${fraud.card.version}`,
    ]);
    await page.locator('[data-tab=models]').click();
    await expect
      .poll(() => page.locator('[data-testid=current-aliases]').textContent())
      .toContain(`production ${fraud.card.version}`);
    await picker.selectOption('churn');
    await expect
      .poll(() => page.locator('[data-testid=current-aliases]').textContent())
      .toContain(`production ${churn.card.version}`);
    await picker.selectOption('fraud');
    await page.locator('[data-tab=analysis]').click();
  });

  it("compares a CSV with the model's reference profile on its own columns, as core does", async () => {
    await page.locator('fieldset[data-role=reference]').getByLabel("Model's reference profile").check();
    await expect
      .poll(() => page.locator('fieldset[data-role=reference] select').first().inputValue())
      .toBe(fraud.card.version);
    await page.locator('fieldset[data-role=current]').getByLabel('CSV file').check();
    await page.setInputFiles('[data-testid=current-csv]', currentPath);
    await page.locator('[data-testid=run-drift]').click();
    const rows = page.locator('[data-testid=drift-table] tbody tr');
    await rows.first().waitFor({ timeout: 60_000 });

    // core on the same rows: the CSV's feature columns typed by the model's schema, against its profile
    const features = fraud.card.schema!.features;
    const csv = parseCsv(readFileSync(currentPath, 'utf8'));
    const records = csv.rows.map((row) =>
      Object.fromEntries(
        features.map((f) => {
          const cell = row[csv.header.indexOf(f.name)]!.trim();
          return [f.name, cell === '' ? null : f.kind === 'numerical' ? Number(cell) : cell];
        }),
      ),
    );
    const tables = driftTablesFromProfile(fraud.card.reference_profile as ReferenceProfile, records, {
      names: { reference: `reference profile of ${fraud.card.version}`, current: 'fraud current.csv' },
    });
    const report = driftReport(tables.reference, tables.current);
    const shown = await rows.locator('td.name').allInnerTexts();
    expect(shown.sort()).toEqual(report.columns.map((c) => c.column).sort());
    expect(shown).toContain('Amount USD');
    expect(shown).not.toContain('Transaction ID');
    expect(report.columns.find((c) => c.column === 'Amount USD')?.drifted).toBe(true);
    const drifted = await rows
      .filter({ has: page.locator('.pmm-badge', { hasText: /^Drift$/ }) })
      .locator('td.name')
      .allInnerTexts();
    expect(drifted.sort()).toEqual(
      report.columns
        .filter((c) => c.drifted)
        .map((c) => c.column)
        .sort(),
    );
    expect(await page.locator('[data-testid=dataset-drift]').textContent()).toBe(
      report.dataset_drift ? 'Detected' : 'Not detected',
    );
    expect(await page.locator('[data-testid=kernels]').textContent()).toBe('WebAssembly drift kernels');
    expect(errors).toEqual([]);
  });
});
