// The Fleet view in Chromium against the real sync server: profile chunks of two edge nodes ingested through
// `POST /v1/ingest/profiles`, synced into IndexedDB, merged in the app, and shown as the drift table and CBPE that
// core computes from the same chunks (mergeProfiles + profileDriftReport, estimateFromScoreBins); the node filter
// narrows the rows; and the view still shows after the server is stopped (page reloaded, offline).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CbpeFit, fitCbpe, holdoutCbpeData } from '@pmm/core/estimate';
import { type ModelCard, modelSchemaOf } from '@pmm/core/model';
import {
  estimateFromScoreBins,
  mergeProfiles,
  type Profile,
  ProfileBuilder,
  type ProfileSpec,
  profileDriftReport,
  profileSpecFromReference,
} from '@pmm/core/profile';
import { CHROMIUM_PATH, chromiumLaunchOptions, requireParts, screenshotPath } from '@pmm/test-support';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FLEET_BANNER_TEXT, formatScore, VERDICT_LABELS } from '../src/renderer/analysis/fleet';
import {
  loadModel,
  READ_TOKEN,
  type RealSyncServer,
  registerModel,
  setAlias,
  startRealSyncServer,
  TELCO_CSV,
} from './real-sync-server';

const DESKTOP = fileURLToPath(new URL('..', import.meta.url));
const NODES = ['edge-north', 'edge-south'] as const;
const CHUNKS_PER_NODE = 5;
const ROWS_PER_CHUNK = 60;
const T0 = Date.parse('2026-03-01T08:00:00Z');
const ready = requireParts('the fleet view browser test', {
  'Telco data': TELCO_CSV,
  Chromium: CHROMIUM_PATH,
});

/** mulberry32: seeded chunk traffic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Chunk {
  readonly node: string;
  readonly chunk_id: string;
  readonly model_version: string;
  readonly start: string;
  readonly end: string;
  readonly profile: Profile;
}

/** A chunk of rows drawn from the reference (the south node's skewed and scaled up), with scores and some labels. */
function buildChunk(card: ModelCard, spec: ProfileSpec, node: string, k: number, r: () => number): Chunk {
  const shift = node === NODES[1] ? 1 : 0;
  const b = new ProfileBuilder(spec);
  const start = T0 + k * 20 * 60_000;
  for (let i = 0; i < ROWS_PER_CHUNK; i++) {
    const row: Record<string, string | number | null> = {};
    for (const f of spec.features) {
      const ref = card.reference_profile.columns[f.name]!;
      if (r() < 0.01) row[f.name] = null;
      else if (ref.type === 'numerical') {
        const v = ref.values[Math.floor(r() * ref.values.length)]!;
        row[f.name] = v * (1 + 0.5 * shift * r());
      } else {
        const cats = Object.keys(ref.counts).sort();
        row[f.name] = cats[Math.floor(r() ** (1 + 2 * shift) * cats.length)]!;
      }
    }
    const score = r() ** (1 + shift);
    b.add(row, score, r() < 0.4 ? (r() < score ? 1 : 0) : null, new Date(start + i * 10_000).toISOString());
  }
  return {
    node,
    chunk_id: `${node}/${new Date(start).toISOString()}`,
    model_version: card.version,
    start: new Date(start).toISOString(),
    end: new Date(start + 20 * 60_000).toISOString(),
    profile: b.build(),
  };
}

function fitOf(card: ModelCard): CbpeFit {
  return fitCbpe(holdoutCbpeData(card.reference_predictions!));
}

describe.skipIf(!ready)('the Fleet view (Chromium, real sync server)', () => {
  let server: PreviewServer | undefined;
  let sync: RealSyncServer;
  let browser: Browser;
  let page: Page;
  let card: ModelCard;
  let spec: ProfileSpec;
  const chunks: Chunk[] = [];
  const errors: string[] = [];
  const outDir = mkdtempSync(join(tmpdir(), 'pmm-desktop-fleet-'));

  beforeAll(async () => {
    const production = await loadModel(inject('pmmModels').production);
    card = production.card;
    spec = profileSpecFromReference(card.version, card.reference_profile, modelSchemaOf(card).features);
    sync = await startRealSyncServer();
    await registerModel(sync, production);
    expect((await setAlias(sync, 'production', card.version, { reason: 'first model' })).ok).toBe(true);
    const r = rng(11);
    for (const node of NODES) {
      const { ingest_token } = await sync.call<{ ingest_token: string }>('POST', '/v1/nodes', {
        json: { node_id: node, url: 'http://127.0.0.1:9/', admin_token: `edge-admin-${node}-0123456789` },
      });
      const mine = Array.from({ length: CHUNKS_PER_NODE }, (_, k) => buildChunk(card, spec, node, k, r));
      chunks.push(...mine);
      const result = await sync.call<{ accepted: number; refused: unknown[] }>(
        'POST',
        '/v1/ingest/profiles',
        {
          token: ingest_token,
          json: { node_id: node, chunks: mine.map(({ node: _n, ...c }) => c) },
        },
      );
      expect(result).toMatchObject({ accepted: CHUNKS_PER_NODE, refused: [] });
    }

    // Built into a temp dir, so it never races the other renderer tests' builds.
    const configFile = join(DESKTOP, 'vite.config.ts');
    await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = await preview({
      configFile,
      logLevel: 'warn',
      build: { outDir },
      preview: { port: 5199, strictPort: false },
    });
    browser = await chromium.launch(chromiumLaunchOptions());
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    await context.addInitScript(
      ([serverUrl, readToken]) => {
        if (!localStorage.getItem('pmm.settings'))
          localStorage.setItem('pmm.settings', JSON.stringify({ serverUrl, readToken }));
      },
      [sync.url, READ_TOKEN],
    );
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sync?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  const view = () => page.locator('[data-testid=fleet-view]');
  const shownChunks = () =>
    page.evaluate(() => document.querySelector('[data-testid=fleet-chunks]')?.textContent ?? null);
  const text = async (testId: string) =>
    (await view().locator(`[data-testid=${testId}]`).textContent()) ?? '';

  /** The shown drift table equals core's report of the merged chunks: columns, methods, scores, bounds, verdicts. */
  async function expectTable(list: readonly Chunk[]) {
    const merged = mergeProfiles(list.map((c) => c.profile));
    const want = profileDriftReport(card.reference_profile, spec, merged);
    await expect
      .poll(() => text('fleet-rows'), { timeout: 30_000 })
      .toBe(merged.rows.toLocaleString('en-US'));
    expect(await text('fleet-chunks')).toBe(String(list.length));
    expect(await text('fleet-nodes')).toBe(String(new Set(list.map((c) => c.node)).size));
    const rows = await view()
      .locator('[data-testid=fleet-drift-table] tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => ({
          column: tr.getAttribute('data-column'),
          verdict: tr.getAttribute('data-verdict'),
          cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
          score: tr.querySelector('[data-score]')!.getAttribute('data-score'),
        })),
      );
    expect(rows.map((r) => [r.column, r.cells[2], r.verdict])).toEqual(
      want.columns.map((c) => [c.column, c.method, c.verdict]),
    );
    for (const [i, c] of want.columns.entries()) {
      const got = rows[i]!;
      if (c.score === null) expect(got.score).toBe('');
      else if (c.type === 'categorical') expect(Math.abs(Number(got.score) - c.score)).toBeLessThan(1e-12);
      else expect(Number(got.score)).toBeCloseTo(c.score, 9);
      expect(got.cells[3]).toBe(formatScore(c.score));
      expect(got.cells[4]).toBe(
        c.score_bound ? `[${formatScore(c.score_bound[0])}, ${formatScore(c.score_bound[1])}]` : '—',
      );
      expect(got.cells[6]).toBe(
        c.verdict === 'indeterminate' ? `⚠ ${VERDICT_LABELS.indeterminate}` : VERDICT_LABELS[c.verdict],
      );
      expect(got.cells[7]).toBe(c.exact ? 'yes' : 'no');
    }
    expect(await text('fleet-summary')).toBe(
      `${want.number_of_drifted_columns} of ${want.number_of_tested_columns} columns drifted, ${want.number_of_indeterminate_columns} indeterminate`,
    );
    expect(await view().locator('[data-testid=fleet-drift-table] .indeterminate').count()).toBe(
      want.number_of_indeterminate_columns,
    );
    // categorical columns are exact, binned numerical ones are not
    expect(want.columns.some((c) => c.type === 'categorical' && c.exact)).toBe(true);
    expect(want.columns.some((c) => c.type === 'numerical' && !c.exact)).toBe(true);
    const estimated = estimateFromScoreBins(fitOf(card), merged.score);
    for (const m of ['roc_auc', 'accuracy'] as const)
      expect(await view().locator(`[data-testid=fleet-metric-${m}] .value`).textContent()).toBe(
        formatScore(estimated[m]!.estimate),
      );
    return merged;
  }

  it('shows the drift table and CBPE of the merged chunks, with the bound and the profiles-only banner', async () => {
    await page.goto(server!.resolvedUrls!.local[0]!);
    await page.locator('[data-tab=fleet]').click();
    // synced by the app's engine; the view merges again as chunks arrive
    await expect.poll(shownChunks, { timeout: 90_000 }).toBe(String(chunks.length));
    expect(await text('fleet-banner')).toBe(FLEET_BANNER_TEXT);
    expect(await view().locator('[data-testid=fleet-version]').inputValue()).toBe(card.version);
    await expectTable(chunks);
    await view().screenshot({ path: screenshotPath('desktop', 'fleet-view') });
  }, 300_000);

  it('the node filter narrows the window to one edge', async () => {
    const all = mergeProfiles(chunks.map((c) => c.profile)).rows;
    await view().locator('[data-testid=fleet-node]').selectOption(NODES[0]);
    const merged = await expectTable(chunks.filter((c) => c.node === NODES[0]));
    expect(merged.rows).toBeLessThan(all);
    await view().locator('[data-testid=fleet-node]').selectOption('');
    await expectTable(chunks);
  }, 120_000);

  it('still shows from the synced chunks offline (server stopped, page reloaded)', async () => {
    await sync.stop();
    await page.reload();
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').getAttribute('data-online'), {
        timeout: 30_000,
      })
      .toBe('false');
    await page.locator('[data-tab=fleet]').click();
    await expect.poll(shownChunks, { timeout: 30_000 }).toBe(String(chunks.length));
    await expectTable(chunks);
    await view().locator('[data-testid=fleet-node]').selectOption(NODES[1]);
    await expectTable(chunks.filter((c) => c.node === NODES[1]));
    expect(errors).toEqual([]);
  }, 120_000);
});
