// `pmm drift --format html` in Chromium: one self-contained page, a chart per column, nothing fetched.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CHROMIUM_PATH,
  chromiumLaunchOptions,
  requireParts,
  screenshotPath,
  telcoCsvPath,
} from '@pmm/test-support';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TELCO = telcoCsvPath();
const ready = requireParts('the HTML drift report test', { 'Telco data': TELCO, Chromium: CHROMIUM_PATH });

describe.skipIf(!ready)('the HTML drift report in Chromium', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pmm-report-'));
  const html = path.join(dir, 'report.html');
  let browser: Browser;

  beforeAll(async () => {
    // Reference: the first half of the customers; current: the second half with month-to-month contracts doubled.
    const lines = readFileSync(TELCO, 'utf8').trimEnd().split('\n');
    const [header, ...rows] = lines;
    const half = rows.slice(rows.length / 2);
    const current = [...half, ...half.filter((r) => r.includes('Month-to-month'))];
    writeFileSync(path.join(dir, 'ref.csv'), [header, ...rows.slice(0, rows.length / 2)].join('\n'));
    writeFileSync(path.join(dir, 'cur.csv'), [header, ...current].join('\n'));
    execFileSync(process.execPath, [
      path.resolve(HERE, '../cli/bin/pmm.js'),
      'drift',
      '--reference',
      path.join(dir, 'ref.csv'),
      '--current',
      path.join(dir, 'cur.csv'),
      '--ignore',
      'customerID',
      '--format',
      'html',
      '--out',
      html,
    ]);
    browser = await chromium.launch(chromiumLaunchOptions());
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('renders every column with its chart, fetches nothing, and stays small', async () => {
    expect(statSync(html).size).toBeLessThan(1_000_000);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`file://${html}`);
    // 20 columns (the Telco file without customerID, with Churn): each has a row and a chart.
    expect(await page.locator('table tbody tr').count()).toBe(20);
    expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(20);
    expect(await page.locator('body').textContent()).toContain('Contract');
    await page.screenshot({ path: screenshotPath('e2e', 'drift-report-html') });
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
  });
});
