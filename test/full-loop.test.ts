// The whole loop: predict at the edge → logs reach central PostgreSQL → drift is detected → a challenger is
// retrained → an analyst promotes it in the app → the edge serves it; every prediction stored exactly once.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type SimulateSummary, simulate } from '@pmm/cli/simulate';
import { type Stack, startStack } from '@pmm/cli/stack';
import { toCsv } from '@pmm/core/data';
import { EXAMPLE_FEATURES } from '@pmm/core/schema';
import { syntheticTable } from '@pmm/core/simulate';
import { createScratchDatabase, type ScratchDatabase } from '@pmm/sync-server/scratch-database';
import {
  CHROMIUM_PATH,
  chromiumLaunchOptions,
  freePort,
  listening,
  requireParts,
  screenshotPath,
  telcoCsvPath,
} from '@pmm/test-support';
import { type Browser, chromium, type Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TELCO = telcoCsvPath();
const ready = requireParts('the full-loop test', { 'Telco data': TELCO, Chromium: CHROMIUM_PATH });

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** Runs the real `pmm` executable; resolves with its stdout, rejects with its stderr. */
function pmm(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'cli/bin/pmm.js'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 300_000, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`pmm ${args[0]}: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

/** Rows per traffic phase; the scheduled drift window covers exactly one phase. */
const WINDOW = 400;

async function call<T>(url: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

async function poll<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => null);
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Seconds between a prediction and its label in the first phase: the estimate must come before any label. */
const LABEL_DELAY_S = 40;

interface MonitorWindowRow {
  readonly drift_report_id: string;
  readonly rows: number;
  readonly labelled: number;
  readonly performance: {
    status: string;
    metrics?: { roc_auc: { estimate: number; realized: number | null; sampling_error: number } };
  };
}

/** One monitor_windows row as the shape serves it (every value is text there), or null. */
async function monitorWindow(
  syncUrl: string,
  token: string,
  reportId: string,
): Promise<MonitorWindowRow | null> {
  const r = await call<{ value?: Record<string, string> }[]>(
    `${syncUrl}/v1/shape?table=monitor_windows&offset=-1`,
    token,
  );
  const v = r.body.find((m) => m.value?.drift_report_id === reportId)?.value;
  if (!v) return null;
  return {
    drift_report_id: v.drift_report_id!,
    rows: Number(v.rows),
    labelled: Number(v.labelled),
    performance: JSON.parse(v.performance!),
  };
}

interface DriftReportRow {
  readonly id: string;
  readonly dataset_drift: boolean;
  readonly drift_share: number;
  readonly created_at: string;
}

describe.skipIf(!ready)('the whole loop', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'pmm-e2e-'));
  // The second model's training data; the centre retrains "fraud" from it if its drift calls for it.
  const FRAUD_CSV = path.join(home, 'fraud.csv');
  const logs: string[] = [];
  const sent: SimulateSummary[] = [];
  let stack: Stack;
  let databaseUrl: string | undefined;
  let scratch: ScratchDatabase | undefined;
  let browser: Browser;
  let page: Page;
  let challenger: string;
  const started = Date.now();

  beforeAll(async () => {
    if (process.env.DATABASE_URL) {
      // A database of its own on the real server, dropped afterwards.
      scratch = await createScratchDatabase(process.env.DATABASE_URL, 'pmm_e2e');
      databaseUrl = scratch.url;
    }
    stack = await startStack({
      home,
      syncPort: await freePort(),
      edgePort: await freePort(),
      uiPort: await freePort(),
      databaseUrl,
      ui: true,
      engine: 'ort',
      cronIntervalMs: 3_000,
      syncEnv: {
        PMM_DRIFT_INTERVAL_MS: '2000',
        PMM_DRIFT_WINDOW: String(WINDOW),
        PMM_DRIFT_MIN_ROWS: String(WINDOW),
        PMM_RETRAIN_POLICY: 'on_drift',
        PMM_TRAINING_DATA_BY_NAME: `fraud=${FRAUD_CSV}`,
        PMM_SHAPE_LIVE_TIMEOUT_MS: '3000',
        PMM_PUSH_BACKOFF_MS: '200',
        PMM_PUSH_BACKOFF_MAX_MS: '2000',
      },
      log: (line) => logs.push(line),
    });
    browser = await chromium.launch(chromiumLaunchOptions());
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await scratch?.drop();
    console.log(`full loop took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  /** Sends one phase; `whileLabelsWait` runs after the predictions are sent, before the labels are. */
  const traffic = async (
    drift: 'none' | 'sudden',
    seed: number,
    labelDelaySeconds = 0,
    whileLabelsWait?: () => Promise<void>,
  ) => {
    const running = simulate({
      edge: stack.urls.edge,
      rows: WINDOW,
      rate: 0,
      drift,
      labelRate: 0.5,
      labelDelaySeconds,
      seed,
      concurrency: 8,
      data: TELCO,
    });
    if (whileLabelsWait) await whileLabelsWait();
    const summary = await running;
    expect(summary.failed, JSON.stringify(summary.errors)).toBe(0);
    expect(summary.feedback_failed).toBe(0);
    sent.push(summary);
    // Ship now rather than wait for the next cron tick.
    const shipped = await call<{ complete: boolean }>(
      `${stack.urls.edge}/admin/sync`,
      stack.tokens.edge_admin,
      {},
    );
    expect(shipped.status).toBe(200);
    return summary;
  };

  const latestReport = async () => {
    const r = await call<{ reports: DriftReportRow[] }>(
      `${stack.urls.sync}/v1/drift/reports?limit=1`,
      stack.tokens.read,
    );
    return r.body.reports[0] ?? null;
  };

  let calmReportId: string;

  it('1. no-drift traffic, labels late: the window has a performance estimate before any label, and no drift', async () => {
    const before = Date.now();
    let report: DriftReportRow | undefined;
    await traffic('none', 11, LABEL_DELAY_S, async () => {
      report = await poll(
        'a scheduled drift report on the no-drift window',
        async () => {
          const latest = await latestReport();
          return latest && Date.parse(latest.created_at) >= before ? latest : null;
        },
        60_000,
      );
      const window = await poll(
        'the performance estimated beside it',
        () => monitorWindow(stack.urls.sync, stack.tokens.read, report!.id),
        30_000,
      );
      expect(window.labelled).toBe(0);
      expect(window.performance.status).toBe('ok');
      const auc = window.performance.metrics!.roc_auc;
      expect(auc.realized).toBeNull();
      expect(auc.estimate).toBeGreaterThan(0.6);
      expect(auc.estimate).toBeLessThanOrEqual(1);
    });
    calmReportId = report!.id;
    expect(report!.dataset_drift).toBe(false);
    expect(report!.drift_share).toBeLessThan(0.5);
  });

  it('2. sudden drift: detected within one window, and retraining produces a challenger', async () => {
    const before = Date.now();
    await traffic('sudden', 12);
    const report = await poll(
      'a drift report that detects the sudden drift',
      async () => {
        const latest = await latestReport();
        return latest && Date.parse(latest.created_at) >= before && latest.dataset_drift ? latest : null;
      },
      60_000,
    );
    expect(report.drift_share).toBeGreaterThanOrEqual(0.5);
    // The labels of the first phase arrived meanwhile: this run refilled its realized ROC AUC, which lies within
    // the estimate's band (± 3 sampling errors, widened by √(rows / labelled) for the labelled share).
    const calm = await poll(
      'the realized ROC AUC of the no-drift window',
      async () => {
        const w = await monitorWindow(stack.urls.sync, stack.tokens.read, calmReportId);
        return w && w.labelled > 0 ? w : null;
      },
      60_000,
    );
    expect(calm.labelled).toBe(sent[0]!.feedback_sent);
    const auc = calm.performance.metrics!.roc_auc;
    expect(auc.realized).not.toBeNull();
    expect(Math.abs(auc.realized! - auc.estimate)).toBeLessThanOrEqual(
      3 * auc.sampling_error * Math.sqrt(calm.rows / calm.labelled),
    );
    const model = await poll(
      'the retrained challenger',
      async () => {
        const r = await call<{ version: string; parent_version: string }>(
          `${stack.urls.sync}/v1/models/@challenger`,
          stack.tokens.read,
        );
        return r.status === 200 ? r.body : null;
      },
      180_000,
    );
    expect(model.parent_version).toBe(stack.productionVersion);
    challenger = model.version;
    const runs = await call<{
      runs: { status: string; challenger_version: string; details: { metrics: object } }[];
    }>(`${stack.urls.sync}/v1/retrain/runs`, stack.tokens.read);
    const run = runs.body.runs.find((r) => r.challenger_version === challenger);
    expect(run?.status).toBe('succeeded');
    expect(run?.details.metrics).toHaveProperty('production');
    expect(run?.details.metrics).toHaveProperty('challenger');
  });

  it('3. the analyst app syncs, shows the drift and the challenger, and promotes it', async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    await context.addInitScript(
      ([serverUrl, readToken, adminToken]) => {
        localStorage.setItem('pmm.settings', JSON.stringify({ serverUrl, readToken }));
        localStorage.setItem('pmm.adminToken', adminToken!);
      },
      [stack.urls.sync, stack.tokens.read, stack.tokens.admin],
    );
    page = await context.newPage();
    await page.goto(stack.urls.ui!);
    const total = sent.reduce((n, s) => n + s.succeeded, 0);
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').textContent(), { timeout: 120_000 })
      .toContain(`${total.toLocaleString('en-US')} predictions`);

    // Drift of the last window (the sudden-drift traffic) against production's reference profile.
    await page.locator('fieldset[data-role=reference]').getByLabel("Model's reference profile").check();
    await page.locator('fieldset[data-role=reference] select').first().selectOption(stack.productionVersion);
    await page.locator('fieldset[data-role=current]').getByLabel('Window of the log').check();
    await page.locator('fieldset[data-role=current]').getByLabel('Last N').fill(String(WINDOW));
    await page.locator('[data-testid=run-drift]').click();
    await expect
      .poll(() => page.locator('[data-testid=dataset-drift]').textContent(), { timeout: 60_000 })
      .toBe('Detected');
    await page.locator('[data-testid=drift-table] tbody tr').filter({ hasText: 'contract' }).first().click();
    await page.screenshot({ path: screenshotPath('e2e', 'analyst-drift'), fullPage: true });

    await page.locator('[data-tab=models]').click();
    const promote = page.getByRole('button', {
      name: new RegExp(`Promote challenger ${challenger} to production`),
    });
    await promote.waitFor({ timeout: 60_000 });
    // Challenger and production side by side, scored on the same holdout rows by the retrainer.
    expect(await page.locator('[data-testid=compare-basis]').textContent()).toMatch(
      /^Same holdout \(\d[\d,]* rows\)$/,
    );
    await page.screenshot({ path: screenshotPath('e2e', 'analyst-models'), fullPage: true });
    await promote.click();
    await page
      .getByRole('dialog')
      .getByLabel(/Reason/)
      .fill('retrained after the sudden drift');
    await page.getByRole('dialog').getByRole('button', { name: 'Promote' }).click();
    await expect
      .poll(() => page.locator('[data-testid=outbox-status]').first().textContent(), { timeout: 60_000 })
      .toContain('done');
    const production = await call<{ version: string }>(
      `${stack.urls.sync}/v1/models/@production`,
      stack.tokens.read,
    );
    expect(production.body.version).toBe(challenger);
  });

  it('4. the edge serves the new version without a restart, within a bounded time', async () => {
    const t0 = Date.now();
    const served = await poll(
      `the edge to serve ${challenger}`,
      async () => {
        const r = await fetch(`${stack.urls.edge}/api/v1/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ features: EXAMPLE_FEATURES }),
        });
        const body = (await r.json()) as { model_version: string };
        return body.model_version === challenger ? body : null;
      },
      60_000,
    );
    expect(served.model_version).toBe(challenger);
    console.log(
      `edge served the promoted model ${((Date.now() - t0) / 1000).toFixed(1)} s after the promotion`,
    );
  });

  it('4b. a second model, trained on a table that is not Telco, is registered by name, served beside churn, logged, drifts and shows in the app', async () => {
    // A fraud-like table: other column names (with spaces), an airport code of hundreds of values, numbers.
    const table = syntheticTable({ rows: 3000, seed: 21, signals: 4 });
    writeFileSync(FRAUD_CSV, toCsv(table.header, table.rows));
    const modelDir = path.join(home, 'fraud-model');
    await pmm([
      'train',
      '--data',
      FRAUD_CSV,
      '--target',
      'Is Fraud',
      '--positive',
      'fraud',
      '--out',
      modelDir,
    ]);
    await pmm(
      [
        'models',
        'register',
        '--server',
        stack.urls.sync,
        '--name',
        'fraud',
        '--model',
        modelDir,
        '--alias',
        'production',
        '--reason',
        'a second model beside churn',
      ],
      { PMM_TOKEN: stack.tokens.admin },
    );
    const card = JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8')) as {
      version: string;
      schema: { features: { name: string; kind: 'numerical' | 'categorical'; column?: string }[] };
    };

    // Pushed to the edge by name, served beside churn.
    const listed = await poll(
      'the edge to serve "fraud"',
      async () => {
        const r = await fetch(`${stack.urls.edge}/api/v1/models`);
        const body = (await r.json()) as { models: { name: string; version: string }[] };
        const names = body.models.map((m) => `${m.name}@${m.version}`);
        return names.includes(`fraud@${card.version}`) ? names : null;
      },
      60_000,
    );
    expect(listed.some((n) => n.startsWith('churn@'))).toBe(true);

    // Traffic whose amounts tripled and whose cards changed, in the model's own column names.
    const shifted = syntheticTable({ rows: WINDOW, seed: 22, signals: 4 });
    const amount = shifted.header.indexOf('Amount USD');
    const rows = shifted.rows.map((row) =>
      Object.fromEntries(
        card.schema.features.map((f) => {
          const i = shifted.header.indexOf(f.column ?? f.name);
          let cell = row[i]!.trim();
          if (i === amount && cell !== '') cell = String(Number(cell) * 3);
          return [f.name, cell === '' ? null : f.kind === 'numerical' ? Number(cell) : cell];
        }),
      ),
    );
    const predicted = await fetch(`${stack.urls.edge}/api/v1/models/fraud/predict/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rows }),
    });
    expect(predicted.status, await predicted.clone().text()).toBe(200);
    const batch = (await predicted.json()) as { predictions: { model_version: string }[] };
    expect(batch.predictions).toHaveLength(WINDOW);
    expect(new Set(batch.predictions.map((p) => p.model_version))).toEqual(new Set([card.version]));
    const shipped = await call<{ complete: boolean }>(
      `${stack.urls.edge}/admin/sync`,
      stack.tokens.edge_admin,
      {},
    );
    expect(shipped.status).toBe(200);

    // The centre's scheduled drift run for "fraud" sees the amounts move.
    const report = await poll(
      'a drift report for "fraud"',
      async () => {
        const r = await call<{ reports: (DriftReportRow & { model_version: string })[] }>(
          `${stack.urls.sync}/v1/drift/reports?name=fraud&limit=1`,
          stack.tokens.read,
        );
        return r.body.reports[0] ?? null;
      },
      60_000,
    );
    expect(report.model_version).toBe(card.version);
    const detail = await call<{ report: { columns: { column: string; drifted: boolean }[] } }>(
      `${stack.urls.sync}/v1/drift/reports/${report.id}`,
      stack.tokens.read,
    );
    expect(detail.body.report.columns.find((c) => c.column === 'Amount USD')?.drifted).toBe(true);

    // The analyst picks "fraud" in the app: its versions, and the drift of its logged window.
    await page.locator('[data-tab=analysis]').click();
    const picker = page.locator('[data-testid=model-picker]');
    await expect
      .poll(() => picker.locator('option').allTextContents(), { timeout: 120_000 })
      .toContain('fraud');
    await picker.selectOption('fraud');
    await page.locator('fieldset[data-role=reference]').getByLabel("Model's reference profile").check();
    await expect
      .poll(() => page.locator('fieldset[data-role=reference] select').first().inputValue(), {
        timeout: 60_000,
      })
      .toBe(card.version);
    await page.locator('fieldset[data-role=current]').getByLabel('Window of the log').check();
    await page.locator('fieldset[data-role=current]').getByLabel('Last N').fill(String(WINDOW));
    await page.locator('[data-testid=run-drift]').click();
    const amountRow = page.locator('[data-testid=drift-table] tbody tr').filter({ hasText: 'Amount USD' });
    await amountRow.first().waitFor({ timeout: 120_000 });
    expect(
      await amountRow
        .first()
        .locator('.pmm-badge', { hasText: /^Drift$/ })
        .count(),
    ).toBe(1);
    await page.screenshot({ path: screenshotPath('e2e', 'analyst-second-model'), fullPage: true });
  });

  it('5. every prediction sent is in PostgreSQL exactly once, with its feedback', async () => {
    const shipped = await call<{ complete: boolean }>(
      `${stack.urls.edge}/admin/sync`,
      stack.tokens.edge_admin,
      {},
    );
    expect(shipped.status).toBe(200);
    const ids = sent.flatMap((s) => s.prediction_ids);
    const feedbackSent = sent.reduce((n, s) => n + s.feedback_sent, 0);
    expect(new Set(ids).size).toBe(ids.length);
    let rows: { prediction_id: string }[];
    let feedback: { prediction_id: string }[];
    if (databaseUrl) {
      const sql = postgres(databaseUrl, { max: 1 });
      rows = await sql`select prediction_id::text from predictions`;
      feedback = await sql`select prediction_id::text from feedback`;
      await sql.end();
    } else {
      // PGlite allows one process at a time: stop the stack, then open its data directory.
      await stack.stop();
      const { PGlite } = await import('@electric-sql/pglite');
      const db = new PGlite(path.join(home, 'db'));
      rows = (await db.query<{ prediction_id: string }>('select prediction_id::text from predictions')).rows;
      feedback = (await db.query<{ prediction_id: string }>('select prediction_id::text from feedback')).rows;
      await db.close();
    }
    // The test's own predict calls (step 4) are logged too; every simulated one is there (once: the primary key).
    const storedSet = new Set(rows.map((r) => r.prediction_id));
    expect(ids.filter((id) => !storedSet.has(id))).toEqual([]);
    expect(feedback).toHaveLength(feedbackSent);
    const idSet = new Set(ids);
    expect(feedback.every((f) => idSet.has(f.prediction_id))).toBe(true);
  });

  it('6. once stopped, nothing is left listening on the stack’s ports (sync server, wrangler/workerd, Vite)', async () => {
    await browser.close();
    expect(browser.isConnected()).toBe(false);
    await stack.stop();
    const ports = [stack.urls.sync, stack.urls.edge, stack.urls.ui!].map((u) => Number(new URL(u).port));
    const still = await poll(
      'the stack’s ports to close',
      async () => {
        const busy = await Promise.all(ports.map(listening));
        return busy.some(Boolean) ? null : busy;
      },
      15_000,
    );
    expect(still).toEqual([false, false, false]);
  });
});
