// `pmm estimate` through the real executable: the reference script's numbers from CSVs, chunking flags, HTML,
// the --model path (a model trained on the Telco data carries its holdout), and one-line errors.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SHARED_TELCO_CSV } from '../util/paths';

const PMM = path.join(REPO_ROOT, 'cli', 'bin', 'pmm.js');
const FIXTURES = path.join(REPO_ROOT, 'core', 'src', 'estimate', 'fixtures', 'cbpe.json');
let dir: string;

interface Case {
  reference: { scores: number[]; targets: number[] };
  analysis: { scores: number[]; targets: number[] };
  calibrated: boolean;
  chunks: {
    start: number;
    end: number;
    rows: number;
    metrics: Record<string, Record<string, number | boolean | null>>;
  }[];
}

function pmm(...args: string[]) {
  const r = spawnSync(process.execPath, [PMM, ...args], { encoding: 'utf8', cwd: dir, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(r: ReturnType<typeof pmm>, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

let fixture: Case;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pmm-estimate-'));
  fixture = (JSON.parse(readFileSync(FIXTURES, 'utf8')) as { cases: Case[] }).cases[0]!;
  const day = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 3600_000).toISOString();
  writeFileSync(
    path.join(dir, 'ref.csv'),
    `churn,score,ts\n${fixture.reference.scores.map((s, i) => `${fixture.reference.targets[i] ? 'yes' : 'no'},${s},${day(i)}`).join('\n')}\n`,
  );
  writeFileSync(
    path.join(dir, 'ana.csv'),
    `score,churn,ts\n${fixture.analysis.scores.map((s, i) => `${s},${fixture.analysis.targets[i]},${day(i)}`).join('\n')}\n`,
  );
  writeFileSync(path.join(dir, 'ana-nolabel.csv'), `score\n${fixture.analysis.scores.join('\n')}\n`);
  writeFileSync(
    path.join(dir, 'ana-late.csv'),
    `score,churn\n${fixture.analysis.scores.map((s, i) => `${s},${i < 1500 ? fixture.analysis.targets[i] : ''}`).join('\n')}\n`,
  );
  writeFileSync(path.join(dir, 'one-class.csv'), 'churn,score\n1,0.2\n1,0.7\n1,0.9\n1,0.4\n');
  writeFileSync(path.join(dir, 'out-of-range.csv'), 'churn,score\n1,0.2\n0,1.7\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = ['estimate', '--reference', 'ref.csv', '--target', 'churn', '--score', 'score'];

describe('pmm estimate from CSVs', () => {
  it('reproduces the reference script per chunk (JSON), within 1e-9', () => {
    const r = pmm(...base, '--analysis', 'ana.csv', '--chunk-size', '500', '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.calibrated).toBe(fixture.calibrated);
    expect(out.reference_chunks).toHaveLength(10);
    expect(
      out.chunks.map((c: { start: number; end: number; rows: number }) => [c.start, c.end, c.rows]),
    ).toEqual(fixture.chunks.map((c) => [c.start, c.end, c.rows]));
    for (const [i, c] of fixture.chunks.entries())
      for (const [m, e] of Object.entries(c.metrics)) {
        const a = out.chunks[i].metrics[m];
        for (const k of [
          'estimate',
          'realized',
          'sampling_error',
          'lower_band',
          'upper_band',
          'lower_threshold',
          'upper_threshold',
        ])
          expect(Math.abs(a[k] - (e[k] as number)), `${i} ${m} ${k}`).toBeLessThanOrEqual(1e-9);
        expect(a.alert).toBe(e.alert);
      }
  });

  it('estimates without targets in the analysis file (realized is null, estimates unchanged)', () => {
    const withTargets = JSON.parse(
      pmm(...base, '--analysis', 'ana.csv', '--chunk-number', '4', '--format', 'json').stdout,
    );
    const r = pmm(...base, '--analysis', 'ana-nolabel.csv', '--chunk-number', '4', '--format', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.chunks).toHaveLength(withTargets.chunks.length);
    expect(out.chunks[0].metrics.roc_auc.realized).toBeNull();
    expect(out.chunks[0].metrics.roc_auc.estimate).toBe(withTargets.chunks[0].metrics.roc_auc.estimate);
  });

  it('takes an analysis target with labels still missing (realized only where labels arrived)', () => {
    const r = pmm(...base, '--analysis', 'ana-late.csv', '--chunk-size', '500', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.chunks[0].metrics.roc_auc.realized).toBeCloseTo(
      fixture.chunks[0]!.metrics.roc_auc!.realized as number,
      12,
    );
    expect(out.chunks[3].metrics.roc_auc.realized).toBeNull();
    expect(out.chunks[3].metrics.roc_auc.estimate).toBeCloseTo(
      fixture.chunks[3]!.metrics.roc_auc!.estimate as number,
      12,
    );
  });

  it('chunks by day of a timestamp column', () => {
    const r = pmm(
      ...base,
      '--analysis',
      'ana.csv',
      '--timestamp',
      'ts',
      '--chunk-period',
      '1d',
      '--metrics',
      'roc_auc',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.chunks[0]).toMatchObject({
      key: '2024-01-01',
      rows: 24,
      start_date: '2024-01-01T00:00:00.000Z',
    });
    expect(out.chunks).toHaveLength(Math.ceil(fixture.analysis.scores.length / 24));
    expect(Object.keys(out.chunks[0].metrics)).toEqual(['roc_auc']);
  });

  it('writes a small self-contained HTML report', () => {
    const r = pmm(
      ...base,
      '--analysis',
      'ana.csv',
      '--chunk-size',
      '500',
      '--format',
      'html',
      '--out',
      'report.html',
    );
    expect(r.code).toBe(0);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html.length).toBeLessThan(120_000);
  });

  it('refuses bad input with one line', () => {
    expectOneLineError(pmm(...base, '--analysis', 'missing.csv'), /analysis file not found/);
    expectOneLineError(
      pmm(
        'estimate',
        '--reference',
        'ref.csv',
        '--target',
        'nope',
        '--score',
        'score',
        '--analysis',
        'ana.csv',
      ),
      /no column "nope"/,
    );
    expectOneLineError(
      pmm(
        'estimate',
        '--reference',
        'one-class.csv',
        '--target',
        'churn',
        '--score',
        'score',
        '--analysis',
        'ana.csv',
        '--chunk-size',
        '2',
      ),
      /one class/,
    );
    expectOneLineError(
      pmm(
        'estimate',
        '--reference',
        'out-of-range.csv',
        '--target',
        'churn',
        '--score',
        'score',
        '--analysis',
        'ana.csv',
      ),
      /row 3 is 1.7, a score must be in \[0, 1\]/,
    );
    expectOneLineError(pmm(...base, '--analysis', 'ana.csv', '--chunk-number', '100000'), /cannot split/);
    expectOneLineError(
      pmm(...base, '--analysis', 'ana.csv', '--metrics', 'roc_auc,brier'),
      /unknown metric "brier"/,
    );
    expectOneLineError(pmm(...base, '--analysis', 'ana.csv', '--chunk-period', '1d'), /needs --timestamp/);
    expectOneLineError(
      pmm(...base, '--analysis', 'ana.csv', '--chunk-size', '5', '--chunk-number', '3'),
      /at most one/,
    );
  });
});

const telco = existsSync(SHARED_TELCO_CSV);
if (!telco && process.env.CI === 'true') throw new Error(`the Telco data is missing: ${SHARED_TELCO_CSV}`);

describe.skipIf(!telco)('pmm estimate --model', () => {
  let model: string;
  beforeAll(() => {
    model = path.join(dir, 'model');
    const r = pmm(
      'train',
      '--data',
      SHARED_TELCO_CSV,
      '--out',
      model,
      '--epochs',
      '3',
      '--hidden',
      'none',
      '--format',
      'json',
    );
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  it('stores the holdout scores and targets in model.json', () => {
    const card = JSON.parse(readFileSync(path.join(model, 'model.json'), 'utf8'));
    expect(card.reference_predictions.scores).toHaveLength(card.training.holdout_rows);
    expect(new Set(card.reference_predictions.targets)).toEqual(new Set([0, 1]));
  });

  it('scores the analysis rows with the model and estimates against its holdout', () => {
    const r = pmm(
      'estimate',
      '--model',
      model,
      '--analysis',
      SHARED_TELCO_CSV,
      '--chunk-size',
      '1000',
      '--format',
      'json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.chunks).toHaveLength(8);
    for (const c of out.chunks.slice(0, 7)) {
      const m = c.metrics.roc_auc;
      expect(m.estimate).toBeGreaterThan(0.7);
      // the Telco rows include the holdout's own population: realized lies near the estimate
      expect(Math.abs(m.realized - m.estimate)).toBeLessThan(0.08);
    }
  });
});
