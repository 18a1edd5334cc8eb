// `pmm multivariate --model`: the fit that `pmm train` and `pmm import` put in model.json gives the very numbers of
// `--reference` with the model's reference rows (the training file; the import's reference CSV).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toCsv } from '@pmm/core/data';
import { syntheticTable } from '@pmm/core/simulate';
import { requireParts, telcoCsvPath } from '@pmm/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../util/paths';
import { isCleanFailure, runCli } from '../util/run-cli';

const dir = mkdtempSync(path.join(tmpdir(), 'pmm-mv-model-'));
// one generated table (its airport codes are drawn per seed): the first 3000 rows train, the last 1500 are analysed
const table = syntheticTable({ rows: 4500, seed: 21 });
const train = { header: table.header, rows: table.rows.slice(0, 3000) };
const analysis = { header: table.header, rows: table.rows.slice(3000) };
const trainCsv = path.join(dir, 'train table.csv');
const analysisCsv = path.join(dir, 'analysis table.csv');
writeFileSync(trainCsv, toCsv(train.header, train.rows));
writeFileSync(analysisCsv, toCsv(analysis.header, analysis.rows));
const model = path.join(dir, 'model');
const fixtures = path.join(REPO_ROOT, 'core/src/model/import/fixtures');

interface Report {
  components: number;
  reference_chunks: { value: number; upper_threshold: number | null }[];
  chunks: { rows: number; value: number; alert: boolean }[];
}

function multivariate(...args: string[]): Report {
  const run = runCli(['multivariate', ...args, '--format', 'json'], { timeoutMs: 300_000 });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

describe('pmm multivariate --model after pmm train', () => {
  let features: { name: string; kind: 'numerical' | 'categorical' }[];

  beforeAll(() => {
    const run = runCli(
      ['train', '--data', trainCsv, '--target', 'Is Fraud', '--positive', 'fraud', '--out', model],
      { timeoutMs: 300_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const card = JSON.parse(readFileSync(path.join(model, 'model.json'), 'utf8'));
    features = card.schema.features;
    expect(card.multivariate.columns.map((c: { name: string }) => c.name)).toEqual(
      features.map((f) => f.name),
    );
    expect(card.multivariate.reference_errors).toHaveLength(3000);
  }, 300_000);

  it('gives the numbers of --reference with the training file, chunk for chunk', () => {
    const chunking = ['--chunk-number', '6'];
    const fromModel = multivariate('--model', model, '--analysis', analysisCsv, ...chunking);
    const kinds = (kind: string) =>
      features
        .filter((f) => f.kind === kind)
        .map((f) => f.name)
        .join(',');
    const names = new Set(features.map((f) => f.name));
    const fromFile = multivariate(
      '--reference',
      trainCsv,
      '--analysis',
      analysisCsv,
      '--categorical',
      kinds('categorical'),
      '--numerical',
      kinds('numerical'),
      '--ignore',
      train.header.filter((h) => !names.has(h)).join(','),
      ...chunking,
    );
    const kindsFromModel = multivariate(
      '--model',
      model,
      '--reference',
      trainCsv,
      '--analysis',
      analysisCsv,
      ...chunking,
    );
    expect(fromModel.components).toBeGreaterThan(1);
    expect(fromModel.reference_chunks).toHaveLength(6);
    expect(fromModel.chunks.reduce((s, c) => s + c.rows, 0)).toBe(1500);
    expect(fromModel).toEqual(fromFile);
    expect(kindsFromModel).toEqual(fromFile);
  });

  it('sees a broken relation between two columns in the analysis', () => {
    // signals 2-6 made to follow signal 1: correlations appear that the reference lacks
    const j1 = analysis.header.indexOf('Signal 01');
    const linked = analysis.header
      .filter((h) => /^Signal 0[2-6]$/.test(h))
      .map((h) => analysis.header.indexOf(h));
    const rows = analysis.rows.map((r) => {
      const out = [...r];
      for (const j of linked) out[j] = (Number(r[j1]) * 0.98 + Number(r[j]) * 0.2).toFixed(4);
      return out;
    });
    const broken = path.join(dir, 'broken.csv');
    writeFileSync(broken, toCsv(analysis.header, rows));
    const report = multivariate('--model', model, '--analysis', broken, '--chunk-number', '3');
    const clean = multivariate('--model', model, '--analysis', analysisCsv, '--chunk-number', '3');
    expect(report.chunks.every((c) => c.alert)).toBe(true);
    report.chunks.forEach((c, i) => {
      expect(c.value).toBeGreaterThan(clean.chunks[i]!.value);
    });
  });

  it('ends in one line when it cannot take the reference from the model', () => {
    const period = runCli([
      'multivariate',
      '--model',
      model,
      '--analysis',
      analysisCsv,
      '--chunk-period',
      '1d',
      '--timestamp',
      'Region',
    ]);
    expect(isCleanFailure(period), period.stderr).toBe(true);
    expect(period.stderr).toContain('--chunk-period needs the reference');
    const kinds = runCli([
      'multivariate',
      '--model',
      model,
      '--analysis',
      analysisCsv,
      '--numerical',
      'Region',
    ]);
    expect(isCleanFailure(kinds)).toBe(true);
    expect(kinds.stderr).toContain("the model's schema gives the kinds");
    const neither = runCli(['multivariate', '--analysis', analysisCsv]);
    expect(isCleanFailure(neither)).toBe(true);
    expect(neither.stderr).toContain('give --reference <csv> or --model <dir>');
    const old = path.join(dir, 'old');
    const card = JSON.parse(readFileSync(path.join(model, 'model.json'), 'utf8'));
    delete card.multivariate;
    mkdirSync(old, { recursive: true });
    copyFileSync(path.join(model, 'model.onnx'), path.join(old, 'model.onnx'));
    writeFileSync(path.join(old, 'model.json'), JSON.stringify(card));
    const missing = runCli(['multivariate', '--model', old, '--analysis', analysisCsv]);
    expect(isCleanFailure(missing)).toBe(true);
    expect(missing.stderr).toContain('model.json has no multivariate fit');
  });
});

describe('pmm multivariate --model after pmm import', () => {
  it('gives the numbers of --reference with the reference CSV given at import', () => {
    const imported = path.join(dir, 'imported');
    const reference = path.join(fixtures, 'reference.csv');
    const run = runCli([
      'import',
      '--onnx',
      path.join(fixtures, 'linear.onnx'),
      '--reference',
      reference,
      '--target',
      'Bought',
      '--out',
      imported,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /multivariate drift: PCA with \d+ of \d+ components fitted on the reference rows/,
    );
    const chunking = ['--chunk-size', '20'];
    expect(multivariate('--model', imported, '--analysis', reference, ...chunking)).toEqual(
      multivariate('--model', imported, '--reference', reference, '--analysis', reference, ...chunking),
    );
  });
});

const TELCO = telcoCsvPath();
const telco = requireParts('pmm multivariate --model on the Telco demo', { 'Telco data': TELCO });

describe.skipIf(!telco)('pmm multivariate --model on the Telco demo', () => {
  it("reads the Telco CSV's own column names for the demo's features, with the numbers of --reference", () => {
    const demo = path.join(dir, 'telco-model');
    const run = runCli(['train', '--data', TELCO, '--out', demo], { timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(0);
    const chunking = ['--chunk-number', '5'];
    const fromModel = multivariate('--model', demo, '--analysis', TELCO, ...chunking);
    // the demo's features are snake_case (`contract`), the file's columns as written (`Contract`)
    expect((fromModel as unknown as { columns: { name: string }[] }).columns.map((c) => c.name)).toContain(
      'contract',
    );
    expect(fromModel).toEqual(
      multivariate('--model', demo, '--reference', TELCO, '--analysis', TELCO, ...chunking),
    );
  }, 300_000);
});
