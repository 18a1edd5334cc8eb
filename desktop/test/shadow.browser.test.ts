// The app runs the models, in Chromium against the real sync server: each version's model.onnx downloaded once
// (sha256-checked, kept in IndexedDB), shadow scoring of the challenger on a window of production's logged inputs
// and what-if edits, both in the inference worker; WebAssembly and WebGPU agree with Node's ORT within 1e-5; and
// everything still works offline after a sync (server stopped, page reloaded).
//
// WebGPU here (Debian's Chromium 156, headless, no GPU): with the suite's flags alone `navigator.gpu` exists but
// `requestAdapter()` yields null. With `--enable-unsafe-webgpu --use-webgpu-adapter=swiftshader
// --enable-features=Vulkan` it yields SwiftShader's fallback adapter (vendor "google", architecture "swiftshader"),
// also alongside `--disable-gpu`, so this test launches with those flags. ORT's WebGPU EP then runs an imported
// one-tensor model (core's gemm.onnx fixture) and agrees with Node within 1e-5; pmm's own Telco graph, whose
// 17-input Concat needs 17 storage buffers per shader stage (ORT's device has 8, SwiftShader's adapter 10), fails
// validation and answers garbage — the app checks WebGPU against WebAssembly per version and falls back, saying why.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv, sha256Hex } from '@pmm/core/data';
import { type CbpeFit, fitCbpe, holdoutCbpeData } from '@pmm/core/estimate';
import { type ModelCard, modelSchemaOf } from '@pmm/core/model';
import { createOrtPredictor, importOnnx } from '@pmm/core/onnx';
import { requestValidatorFor, type SchemaFeature, tableToRows } from '@pmm/core/schema';
import { compareShadow, renderShadowHtml } from '@pmm/core/shadow';
import { CHROMIUM_PATH, chromiumLaunchOptions, requireParts, screenshotPath } from '@pmm/test-support';
import * as ort from 'onnxruntime-web';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  loadModel,
  READ_TOKEN,
  type RealSyncServer,
  registerModel,
  type Seeded,
  seedTelco,
  startRealSyncServer,
  TELCO_CSV,
  type TrainedModel,
} from './real-sync-server';

const DESKTOP = fileURLToPath(new URL('..', import.meta.url));
const IMPORT_FIXTURES = join(DESKTOP, '../core/src/model/import/fixtures');
// SwiftShader compiles WebGPU pipelines on the CPU: the WebGPU steps take tens of seconds on a busy machine.
const ROWS = 3000;
const WINDOW = 1000;
const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
];
const ready = requireParts('the shadow scoring browser test', {
  'Telco data': TELCO_CSV,
  Chromium: CHROMIUM_PATH,
});

type Record_ = Record<string, string | number | null>;
interface StoredPrediction {
  prediction_id: string;
  model_version: string;
  ts: number;
  probability: number;
  features: Record_;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** A value inside a numerical feature's training range, `share` of the way from its minimum. */
function valueIn(f: SchemaFeature, share: number): number {
  if (f.kind !== 'numerical' || !f.range) return 1;
  const v = f.range.min + (f.range.max - f.range.min) * share;
  return f.integer ? Math.round(v) : Number(v.toFixed(2));
}

function fitOf(card: ModelCard): CbpeFit | null {
  const ref = card.reference_predictions;
  return ref ? fitCbpe(holdoutCbpeData(ref)) : null;
}

describe.skipIf(!ready)('the app runs the models (Chromium, real sync server)', () => {
  let server: PreviewServer | undefined;
  let sync: RealSyncServer;
  let seeded: Seeded;
  let production: TrainedModel;
  let challenger: TrainedModel;
  /** An ONNX model registered from elsewhere (one float tensor input, Gemm). */
  let imported: TrainedModel;
  let importedRecords: Record_[];
  let browser: Browser;
  let page: Page;
  let url: string;
  /** The built inference worker's URL path (found by a message only it holds). */
  let workerPath: string;
  const artifactRequests: string[] = [];
  const errors: string[] = [];
  const outDir = mkdtempSync(join(tmpdir(), 'pmm-desktop-shadow-'));
  let node: Record<'production' | 'challenger' | 'imported', Awaited<ReturnType<typeof createOrtPredictor>>>;

  beforeAll(async () => {
    const models = inject('pmmModels');
    [production, challenger] = await Promise.all([
      loadModel(models.production),
      loadModel(models.challenger),
    ]);
    sync = await startRealSyncServer();
    seeded = await seedTelco(sync, { models, predictions: ROWS });
    ort.env.wasm.numThreads = 1;
    const csvText = readFileSync(join(IMPORT_FIXTURES, 'reference.csv'), 'utf8');
    const reference = parseCsv(csvText);
    const gemm = await importOnnx({
      onnx: new Uint8Array(readFileSync(join(IMPORT_FIXTURES, 'gemm.onnx'))),
      fileName: 'gemm.onnx',
      reference,
      referenceSha256: await sha256Hex(csvText),
      target: 'Bought',
      ort,
    });
    imported = { dir: IMPORT_FIXTURES, card: gemm.card, onnx: gemm.onnx };
    importedRecords = tableToRows(reference, gemm.card.schema!).records;
    await registerModel(sync, imported);
    node = {
      production: await createOrtPredictor(ort, production.onnx, undefined, production.card.serving),
      challenger: await createOrtPredictor(ort, challenger.onnx, undefined, challenger.card.serving),
      imported: await createOrtPredictor(ort, imported.onnx, undefined, imported.card.serving),
    };

    // Built into a temp dir, so it never races the other renderer test's build of dist/.
    const configFile = join(DESKTOP, 'vite.config.ts');
    await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    const assets = join(outDir, 'assets');
    const worker = readdirSync(assets).find(
      (f) =>
        f.endsWith('.js') &&
        readFileSync(join(assets, f), 'utf8').includes('refuses every row of the window'),
    );
    if (!worker) throw new Error('the inference worker is not in the build');
    workerPath = `assets/${worker}`;
    server = await preview({
      configFile,
      logLevel: 'warn',
      build: { outDir },
      preview: { port: 5197, strictPort: false },
    });
    url = server.resolvedUrls!.local[0]!;

    browser = await chromium.launch(chromiumLaunchOptions(WEBGPU_FLAGS));
    const context = await browser.newContext({
      viewport: { width: 1360, height: 900 },
      acceptDownloads: true,
    });
    await context.addInitScript(
      ([serverUrl, readToken]) => {
        if (!localStorage.getItem('pmm.settings'))
          localStorage.setItem('pmm.settings', JSON.stringify({ serverUrl, readToken }));
      },
      [sync.url, READ_TOKEN],
    );
    context.on('request', (r) => {
      if (new URL(r.url()).pathname.endsWith('/artifact')) artifactRequests.push(r.url());
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sync?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  /** Rows of the page's IndexedDB store `table`. */
  const stored = <T>(table: string): Promise<T[]> =>
    page.evaluate(
      (name) =>
        new Promise<T[]>((resolve, reject) => {
          const open = indexedDB.open('pmm');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const req = open.result.transaction(name).objectStore(name).getAll();
            req.onsuccess = () => {
              open.result.close();
              resolve(req.result as T[]);
            };
            req.onerror = () => reject(req.error);
          };
        }),
      table,
    );

  /** Probabilities from the app's own inference worker (a fresh instance) on a backend. */
  const workerPredict = (
    version: string,
    records: Record_[],
    backend: 'wasm' | 'webgpu',
    gpuRefused: Record<string, string> = {},
  ) =>
    page.evaluate(
      ([path, version, records, backend, gpuRefused]) =>
        new Promise<{ probabilities: number[]; backend: string; reason: string; error?: string }>(
          (resolve) => {
            const w = new Worker(new URL(path as string, location.href), { type: 'module' });
            w.onmessage = (e) => {
              w.terminate();
              const r = e.data;
              if (r.type === 'error')
                resolve({ probabilities: [], backend: '', reason: '', error: r.message });
              else
                resolve({
                  probabilities: r.answers.map(
                    (a: { probability?: number }[]) => a[0]?.probability ?? Number.NaN,
                  ),
                  backend: r.backend.backend,
                  reason: r.backend.reason,
                });
            };
            w.postMessage({
              id: 1,
              type: 'predict',
              versions: [version],
              records,
              backend,
              source: null,
              gpuRefused,
            });
          },
        ),
      [workerPath, version, records, backend, gpuRefused] as const,
    );

  const shadowPanel = () => page.locator('[data-testid=shadow-panel]');

  /**
   * The backend label WebAssembly runs under: the Vite server sends COOP/COEP, so the page is cross-origin
   * isolated and onnxruntime-web takes up to 4 threads (2 on this machine).
   */
  async function wasmLabel(): Promise<string> {
    const { isolated, cores } = await page.evaluate(() => ({
      isolated: crossOriginIsolated,
      cores: navigator.hardwareConcurrency,
    }));
    expect(isolated).toBe(true);
    const threads = Math.max(1, Math.min(4, cores || 1));
    return `WebAssembly (SIMD, ${threads} thread${threads === 1 ? '' : 's'})`;
  }

  async function runShadow(backend: 'wasm' | 'webgpu') {
    const panel = shadowPanel();
    await panel.locator('[data-testid=shadow-backend]').selectOption(backend);
    await panel.getByLabel('Last N').fill(String(WINDOW));
    await panel.locator('[data-testid=run-shadow]').click();
    await expect
      .poll(
        () => panel.locator('[data-testid=shadow-meta], [data-testid=shadow-error]').first().textContent(),
        {
          timeout: 60_000,
        },
      )
      .toMatch(new RegExp(`${backend === 'wasm' ? 'WebAssembly' : 'WebGPU'}|error|not`, 'i'));
    expect(await panel.locator('[data-testid=shadow-error]').count()).toBe(0);
    return panel.locator('[data-testid=shadow-result]');
  }

  /** What the app should show: the same window scored by Node's ORT and compared by core. */
  async function expectedComparison() {
    const predictions = (await stored<StoredPrediction>('predictions'))
      .filter((p) => p.model_version === seeded.production)
      .sort((a, b) => a.ts - b.ts || (a.prediction_id < b.prediction_id ? -1 : 1))
      .slice(-WINDOW);
    const feedback = new Map(
      (await stored<{ prediction_id: string; outcome: number }>('feedback')).map((f) => [
        f.prediction_id,
        f.outcome,
      ]),
    );
    const validator = requestValidatorFor(challenger.card.version, modelSchemaOf(challenger.card));
    const kept = predictions.filter((p) => validator.validateFeatures(p.features).ok);
    const scores = await node.challenger.predict(kept.map((p) => p.features));
    return {
      records: kept.map((p) => p.features),
      scores,
      comparison: compareShadow({
        production: kept.map((p) => p.probability),
        challenger: scores,
        targets: kept.map((p) => feedback.get(p.prediction_id) ?? Number.NaN),
        threshold: 0.5,
        productionFit: fitOf(production.card),
        challengerFit: fitOf(challenger.card),
      }),
    };
  }

  it('downloads each version once, checks its sha256 and keeps it in IndexedDB', async () => {
    await page.goto(url);
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').textContent(), { timeout: 90_000 })
      .toContain(`${ROWS.toLocaleString('en-US')} predictions`);
    await page.locator('[data-tab=models]').click();
    await expect
      .poll(() => page.locator('[data-testid=artifacts-held]').textContent(), { timeout: 30_000 })
      .toBe('3');
    const held = await stored<{ version: string; sha256: string; bytes: Uint8Array }>('artifacts');
    expect(Object.fromEntries(held.map((a) => [a.version, a.sha256]))).toEqual({
      [production.card.version]: production.card.onnx_sha256,
      [challenger.card.version]: challenger.card.onnx_sha256,
      [imported.card.version]: imported.card.onnx_sha256,
    });
    expect(artifactRequests).toHaveLength(3);
    // A reload downloads nothing again.
    await page.reload();
    await page.locator('[data-tab=models]').click();
    await expect.poll(() => page.locator('[data-testid=artifacts-held]').textContent()).toBe('3');
    await page.waitForTimeout(500);
    expect(artifactRequests).toHaveLength(3);
  }, 300_000);

  it("shadow-scores the challenger on production's logged inputs and shows what core computes", async () => {
    const result = await runShadow('wasm');
    expect(await result.locator('[data-testid=shadow-backend-ran]').textContent()).toBe(await wasmLabel());
    const expected = await expectedComparison();
    const c = expected.comparison;
    expect(c.rows).toBe(WINDOW);
    expect(c.labelled_rows).toBeGreaterThan(0);
    expect(await result.locator('[data-testid=shadow-meta]').textContent()).toContain(
      `${WINDOW.toLocaleString('en-US')} rows (last ${WINDOW.toLocaleString('en-US')} predictions of ${seeded.production})`,
    );
    expect(await result.locator('[data-testid=shadow-agreement]').textContent()).toContain(
      `${(c.agreement * 100).toFixed(1)}% of rows get the same label at 0.5; ${c.flips.to_positive} turn positive and ${c.flips.to_negative} turn negative`,
    );
    const cell = (metric: string, col: number) =>
      result.locator(`[data-testid=shadow-table] tr[data-metric=${metric}] td`).nth(col).textContent();
    expect(c.production.estimated).not.toBeNull();
    expect(await cell('estimated_roc_auc', 1)).toBe(c.production.estimated!.roc_auc.toFixed(4));
    expect(await cell('estimated_roc_auc', 2)).toBe(c.challenger.estimated!.roc_auc.toFixed(4));
    expect(await cell('realized_roc_auc', 1)).toBe(c.production.realized!.roc_auc.toFixed(4));
    expect(await cell('realized_roc_auc', 2)).toBe(c.challenger.realized!.roc_auc.toFixed(4));
    expect(await cell('mean_score', 2)).toBe(c.challenger.mean_score.toFixed(4));
    expect(await result.locator('svg rect').count()).toBe(20 + 40);
    await shadowPanel().screenshot({ path: screenshotPath('desktop', 'shadow-scoring') });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      result.locator('[data-testid=export-shadow]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('shadow-report.html');
    const html = readFileSync((await download.path())!, 'utf8');
    const stripTime = (s: string) => s.replace(/; \d{4}-\d\d-\d\dT[\d:.]*Z/g, '; T');
    expect(stripTime(html)).toBe(
      stripTime(
        renderShadowHtml(c, {
          production: seeded.production,
          challenger: seeded.challenger,
          window: `last ${WINDOW.toLocaleString('en-US')} predictions of ${seeded.production}`,
          backend: await wasmLabel(),
          generatedAt: new Date().toISOString(),
        }),
      ),
    );
  }, 300_000);

  it("agrees with Node's ORT within 1e-5 on WebAssembly and on WebGPU (where WebGPU can run the model)", async () => {
    const { records, scores } = await expectedComparison();
    const wasm = await workerPredict(seeded.challenger, records, 'wasm');
    expect(wasm.error).toBeUndefined();
    expect(wasm.backend).toBe('wasm');
    expect(maxAbsDiff(wasm.probabilities, scores)).toBeLessThan(1e-5);

    // The imported one-tensor model runs on SwiftShader's WebGPU adapter.
    const expected = await node.imported.predict(importedRecords);
    const gpu = await workerPredict(imported.card.version, importedRecords, 'webgpu');
    expect(gpu.error).toBeUndefined();
    expect(gpu.backend).toBe('webgpu');
    expect(maxAbsDiff(gpu.probabilities, expected)).toBeLessThan(1e-5);
    const auto = await workerPredict(imported.card.version, importedRecords, 'auto' as 'webgpu');
    expect(auto.backend).toBe('webgpu');
    expect(maxAbsDiff(auto.probabilities, expected)).toBeLessThan(1e-5);

    // The Telco graph does not: forced WebGPU refuses; on auto the worker refuses too (its WebAssembly instance
    // may be damaged by the attempt), and a fresh worker told of the refusal runs WebAssembly and says why.
    const refused = await workerPredict(seeded.challenger, records.slice(0, 50), 'webgpu');
    expect(refused.error).toMatch(/WebGPU (raised|disagreed|cannot run)/);
    const first = await workerPredict(seeded.challenger, records, 'auto' as 'webgpu');
    expect(first.error).toMatch(/WebGPU (raised|disagreed|cannot run)/);
    const fallback = await workerPredict(seeded.challenger, records, 'auto' as 'webgpu', {
      [seeded.challenger]: first.error!,
    });
    expect(fallback.backend).toBe('wasm');
    expect(fallback.reason).toMatch(/WebGPU (raised|disagreed|cannot run)/);
    expect(maxAbsDiff(fallback.probabilities, scores)).toBeLessThan(1e-5);
  }, 300_000);

  it("what-if: editing a logged row updates production's and the challenger's probabilities", async () => {
    const panel = page.locator('[data-testid=what-if-panel]');
    await panel.locator('[data-testid=what-if-open]').click();
    const prod = panel.locator('[data-testid=what-if-production]');
    const other = panel.locator('[data-testid=what-if-other]');
    await expect.poll(() => prod.textContent(), { timeout: 90_000 }).toMatch(/^\d\.\d{4}$/);
    // It starts from the newest logged prediction: production's probability is what the edge logged.
    const from = await panel.locator('[data-testid=what-if-from]').inputValue();
    const row = (await stored<StoredPrediction>('predictions')).find((p) => p.prediction_id === from)!;
    expect(Math.abs(Number(await prod.textContent()) - row.probability)).toBeLessThan(1e-4);

    // Change the first numerical input and the first categorical one, as typed.
    const schema = modelSchemaOf(production.card);
    const numerical = schema.features.find(
      (f) => f.kind === 'numerical' && f.range && f.range.max > f.range.min,
    )!;
    const categorical = schema.features.find((f) => f.kind === 'categorical' && f.categories.length > 1)!;
    if (categorical.kind !== 'categorical') throw new Error('unreachable');
    const edited: Record_ = { ...row.features };
    const current = edited[categorical.name];
    edited[categorical.name] = categorical.categories.find((c) => c !== current)!;
    edited[numerical.name] = valueIn(numerical, 0.3);
    await panel
      .locator(`select[data-feature="${categorical.name}"]`)
      .selectOption(String(edited[categorical.name]));
    await panel.locator(`input[data-feature="${numerical.name}"]`).fill(String(edited[numerical.name]));
    const [p, c] = await Promise.all([node.production.predict([edited]), node.challenger.predict([edited])]);
    await expect.poll(() => prod.textContent(), { timeout: 30_000 }).toBe(p[0]!.toFixed(4));
    await expect.poll(() => other.textContent(), { timeout: 30_000 }).toBe(c[0]!.toFixed(4));
    await panel.screenshot({ path: screenshotPath('desktop', 'what-if') });
  }, 300_000);

  it('shadow scoring and what-if still work offline after a sync (server stopped, page reloaded)', async () => {
    await sync.stop();
    const before = artifactRequests.length;
    await page.reload();
    await page.locator('[data-tab=models]').click();
    await expect
      .poll(() => page.locator('[data-testid=sync-indicator]').getAttribute('data-online'), {
        timeout: 30_000,
      })
      .toBe('false');
    const result = await runShadow('wasm');
    const { comparison: c } = await expectedComparison();
    expect(await result.locator('[data-testid=shadow-meta]').textContent()).toContain(
      `${WINDOW.toLocaleString('en-US')} rows (last ${WINDOW.toLocaleString('en-US')} predictions of ${seeded.production})`,
    );
    expect(await result.locator('[data-testid=shadow-backend-ran]').textContent()).toBe(await wasmLabel());
    expect(await shadowPanel().locator('[data-testid=shadow-version]').inputValue()).toBe(seeded.challenger);
    expect(await result.locator('[data-testid=shadow-agreement]').textContent()).toContain(
      `${(c.agreement * 100).toFixed(1)}% of rows get the same label`,
    );
    const panel = page.locator('[data-testid=what-if-panel]');
    await panel.locator('[data-testid=what-if-open]').click();
    await expect
      .poll(() => panel.locator('[data-testid=what-if-other]').textContent(), { timeout: 90_000 })
      .toMatch(/^\d\.\d{4}$/);
    const numerical = modelSchemaOf(production.card).features.find(
      (f) => f.kind === 'numerical' && f.range && f.range.max > f.range.min,
    )!;
    const value = valueIn(numerical, 0.7);
    const from = await panel.locator('[data-testid=what-if-from]').inputValue();
    const row = (await stored<StoredPrediction>('predictions')).find((p) => p.prediction_id === from)!;
    await panel.locator(`input[data-feature="${numerical.name}"]`).fill(String(value));
    const [p] = await node.production.predict([{ ...row.features, [numerical.name]: value }]);
    await expect
      .poll(() => panel.locator('[data-testid=what-if-production]').textContent())
      .toBe(p!.toFixed(4));
    expect(artifactRequests.length).toBe(before);
    expect(errors).toEqual([]);
  }, 300_000);
});
