// Any table through the real executable: a generated non-Telco table trained and scored, an ONNX file imported.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toCsv } from '@pmm/core/data';
import { classificationMetrics } from '@pmm/core/model';
import { syntheticTable } from '@pmm/core/simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../util/paths';
import { isCleanFailure, runCli } from '../util/run-cli';

const dir = mkdtempSync(path.join(tmpdir(), 'pmm-any-'));
const table = syntheticTable({ rows: 4000, seed: 11 });
const csv = path.join(dir, 'fraud table.csv');
writeFileSync(csv, toCsv(table.header, table.rows));
const model = path.join(dir, 'model');
const fixtures = path.join(REPO_ROOT, 'core/src/model/import/fixtures');

interface Prediction {
  row: number;
  probability: number | null;
  errors?: { field: string; message: string }[];
}

describe('pmm train on a table that is not Telco, then pmm predict', () => {
  let trained: { excluded: { column: string; reason: string }[]; features: { name: string; kind: string }[] };

  beforeAll(() => {
    const run = runCli(
      [
        'train',
        '--data',
        csv,
        '--target',
        'Is Fraud',
        '--positive',
        'fraud',
        '--out',
        model,
        '--format',
        'json',
      ],
      {
        timeoutMs: 300_000,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    trained = JSON.parse(run.stdout);
    expect(run.stderr).toContain(
      'pmm: left out column "Transaction ID": an id (a distinct value in every row)',
    );
  }, 300_000);

  it('keeps names as written, leaves out the id, the constant and the blank column, and says so', () => {
    expect(trained.excluded.map((e) => e.column)).toEqual(['Transaction ID', 'Region', 'Notes']);
    expect(trained.features.slice(0, 5)).toEqual([
      { name: 'Airport Code', kind: 'categorical' },
      { name: 'Card Type', kind: 'categorical' },
      { name: 'Sales Channel', kind: 'categorical' },
      { name: 'Amount USD', kind: 'numerical' },
      { name: 'Account Age Days', kind: 'numerical' },
    ]);
    const card = JSON.parse(readFileSync(path.join(model, 'model.json'), 'utf8'));
    const airports = card.schema.features.find((f: { name: string }) => f.name === 'Airport Code');
    expect(airports.categories.length).toBeGreaterThan(200);
    expect(airports.closed).toBe(false);
  });

  it('scores every row of the table with both engines alike, and the scores rank fraud well', () => {
    const predict = (engine: string) => {
      const run = runCli(
        ['predict', '--model', model, '--input', csv, '--engine', engine, '--format', 'json'],
        {
          timeoutMs: 300_000,
        },
      );
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout).predictions as Prediction[];
    };
    const viaOrt = predict('ort');
    const viaLite = predict('lite');
    expect(viaOrt).toHaveLength(4000);
    let diff = 0;
    viaOrt.forEach((p, i) => {
      diff = Math.max(diff, Math.abs(p.probability! - viaLite[i]!.probability!));
    });
    expect(diff).toBeLessThanOrEqual(1e-6);
    const labels = Uint8Array.from(table.rows, (r) => (r[r.length - 1] === 'fraud' ? 1 : 0));
    const auc = classificationMetrics(
      labels,
      Float32Array.from(viaOrt, (p) => p.probability!),
    ).roc_auc;
    expect(auc).toBeGreaterThan(0.75);
  }, 600_000);

  it('accepts an airport never seen in training (scored, not refused) and says "missing" for an absent field', () => {
    const row = Object.fromEntries(table.header.map((h, j) => [h, table.rows[0]![j]]));
    const features: Record<string, string | number> = {};
    for (const f of trained.features)
      features[f.name] = f.kind === 'numerical' ? Number(row[f.name] || 0) : row[f.name]!;
    const ok = runCli([
      'predict',
      '--model',
      model,
      '--json',
      JSON.stringify({ ...features, 'Airport Code': 'NEW1' }),
      '--format',
      'json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).predictions[0].probability).toBeGreaterThan(0);
    const { 'Card Type': _dropped, ...withoutCard } = features;
    const bad = runCli(['predict', '--model', model, '--json', JSON.stringify(withoutCard)]);
    expect(isCleanFailure(bad)).toBe(true);
    expect(bad.stderr).toContain('field Card Type: missing');
  });

  it.each([
    [['--target', 'Nope'], /no target column "Nope" \(columns: /],
    [['--target', 'Card Type'], /target "Card Type" has 5 distinct value\(s\)/],
    [['--target', 'Is Fraud'], /say which value of "Is Fraud" is the positive class with --positive/],
    [[], /say which column to learn with --target COLUMN/],
  ])('ends bad input with one line: %j', (flags, message) => {
    const run = runCli(['train', '--data', csv, '--out', path.join(dir, 'never'), ...flags]);
    expect(isCleanFailure(run), run.stderr).toBe(true);
    expect(run.stderr).toMatch(message);
  });

  it('refuses a table with no usable feature, and an empty file', () => {
    const constant = path.join(dir, 'constant.csv');
    writeFileSync(constant, 'id,k,y\na,1,yes\nb,1,no\nc,1,yes\n');
    const run = runCli(['train', '--data', constant, '--target', 'y', '--out', path.join(dir, 'never')]);
    expect(isCleanFailure(run), run.stderr).toBe(true);
    expect(run.stderr).toMatch(/no usable feature column \(id: an id .*; k: constant/);
    const empty = path.join(dir, 'empty.csv');
    writeFileSync(empty, '');
    const e = runCli(['train', '--data', empty, '--target', 'y', '--out', path.join(dir, 'never')]);
    expect(isCleanFailure(e)).toBe(true);
    expect(e.stderr).toContain('CSV file is empty');
  });
});

describe('pmm import, then pmm predict', () => {
  const imported = path.join(dir, 'imported');

  it('imports an ONNX file and predicts with it exactly as with pmm models', () => {
    const run = runCli([
      'import',
      '--onnx',
      path.join(fixtures, 'linear.onnx'),
      '--reference',
      path.join(fixtures, 'reference.csv'),
      '--target',
      'Bought',
      '--out',
      imported,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('engines: ONNX Runtime and lite');
    const expected = JSON.parse(readFileSync(path.join(fixtures, 'expected.json'), 'utf8'))
      .probabilities as number[];
    for (const engine of ['ort', 'lite']) {
      const p = runCli([
        'predict',
        '--model',
        imported,
        '--input',
        path.join(fixtures, 'reference.csv'),
        '--engine',
        engine,
        '--format',
        'json',
      ]);
      expect(p.code, p.stderr).toBe(0);
      const got = (JSON.parse(p.stdout).predictions as Prediction[]).map((x) => x.probability!);
      expect(Math.max(...got.map((g, i) => Math.abs(g - expected[i]!)))).toBeLessThan(1e-6);
    }
  });

  it('refuses a ZipMap model in one line that says how to export it', () => {
    const run = runCli([
      'import',
      '--onnx',
      path.join(fixtures, 'zipmap.onnx'),
      '--reference',
      path.join(fixtures, 'reference.csv'),
      '--target',
      'Bought',
      '--out',
      path.join(dir, 'never'),
    ]);
    expect(isCleanFailure(run)).toBe(true);
    expect(run.stderr).toContain("export it with ZipMap disabled (skl2onnx: options={'zipmap': False})");
  });
});
