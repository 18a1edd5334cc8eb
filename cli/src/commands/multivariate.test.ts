// `pmm multivariate` through the real executable: the reference script's numbers from CSVs, timestamps and periods,
// HTML, one-line errors, and the Telco claim (a broken tenure/TotalCharges relation that univariate drift
// does not see and the reconstruction error does).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireParts, telcoCsvPath } from '@pmm/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../util/paths';

const PMM = path.join(REPO_ROOT, 'cli', 'bin', 'pmm.js');
const FIXTURES = path.join(REPO_ROOT, 'core', 'src', 'multivariate', 'fixtures', 'reconstruction.json');
let dir: string;

interface FixtureColumn {
  name: string;
  values: (number | string | null)[];
}
interface FixtureChunk {
  start: number;
  end: number;
  rows: number;
  value: number;
  sampling_error: number | null;
  upper_threshold: number | null;
  lower_threshold: number | null;
  alert: boolean;
}
interface Case {
  name: string;
  chunking: { kind: 'size' | 'number'; value: number };
  reference: FixtureColumn[];
  analysis: FixtureColumn[];
  fit: { components: number };
  reference_chunks: FixtureChunk[];
  chunks: FixtureChunk[];
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
  expect(lines[0]).toMatch(/^pmm: /);
  expect(lines[0]).toMatch(pattern);
}

function csvOf(columns: FixtureColumn[], extra?: { name: string; values: string[] }): string {
  const all = extra ? [...columns, extra] : columns;
  const n = all[0]!.values.length;
  const lines = [all.map((c) => c.name).join(',')];
  for (let i = 0; i < n; i++) lines.push(all.map((c) => c.values[i] ?? '').join(','));
  return `${lines.join('\n')}\n`;
}

const TOL = 1e-9;
const rel = (a: number, e: number) => Math.abs(a - e) / Math.max(1, Math.abs(e));

let cases: Case[];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pmm-multivariate-'));
  cases = (JSON.parse(readFileSync(FIXTURES, 'utf8')) as { cases: Case[] }).cases;
  for (const c of cases) {
    writeFileSync(path.join(dir, `${c.name}-ref.csv`), csvOf(c.reference));
    writeFileSync(path.join(dir, `${c.name}-ana.csv`), csvOf(c.analysis));
  }
  // the telco-like analysis with hourly timestamps written in reverse row order
  const c = cases.find((x) => x.name === 'telco-like')!;
  const n = c.analysis[0]!.values.length;
  const hour = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 3600_000).toISOString();
  const reversed = c.analysis.map((col) => ({ name: col.name, values: [...col.values].reverse() }));
  writeFileSync(
    path.join(dir, 'ana-ts.csv'),
    csvOf(reversed, { name: 'ts', values: Array.from({ length: n }, (_, i) => hour(n - 1 - i)) }),
  );
  writeFileSync(
    path.join(dir, 'ref-ts.csv'),
    csvOf(c.reference, { name: 'ts', values: c.reference[0]!.values.map((_, i) => hour(i)) }),
  );
  writeFileSync(path.join(dir, 'constant.csv'), 'a,b\n1,x\n1,x\n1,x\n1,x\n');
  writeFileSync(path.join(dir, 'three.csv'), 'a,b\n1,2\n2,1\n3,5\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pmm multivariate from CSVs', () => {
  for (const name of ['telco-like', 'missing-unseen-constant']) {
    it(`reproduces the reference script's ${name} case (JSON), within ${TOL} relative`, () => {
      const c = cases.find((x) => x.name === name)!;
      const flag = c.chunking.kind === 'size' ? '--chunk-size' : '--chunk-number';
      const r = pmm(
        'multivariate',
        ...['--reference', `${name}-ref.csv`, '--analysis', `${name}-ana.csv`],
        ...[flag, String(c.chunking.value), '--format', 'json'],
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.components).toBe(c.fit.components);
      for (const [side, expected] of [
        ['reference_chunks', c.reference_chunks],
        ['chunks', c.chunks],
      ] as const) {
        expect(out[side].map((x: FixtureChunk) => [x.start, x.end, x.rows])).toEqual(
          expected.map((x) => [x.start, x.end, x.rows]),
        );
        expected.forEach((e, i) => {
          const a = out[side][i];
          expect(rel(a.value, e.value), `${side} ${i} value`).toBeLessThanOrEqual(TOL);
          if (e.sampling_error === null) expect(a.sampling_error).toBeNull();
          else expect(rel(a.sampling_error, e.sampling_error)).toBeLessThanOrEqual(TOL);
          expect(rel(a.upper_threshold, e.upper_threshold!)).toBeLessThanOrEqual(TOL);
          if (e.lower_threshold === null) expect(a.lower_threshold).toBeNull();
          else expect(rel(a.lower_threshold, e.lower_threshold)).toBeLessThanOrEqual(TOL);
          expect(a.alert, `${side} ${i} alert`).toBe(e.alert);
        });
      }
    });
  }

  it('sorts by --timestamp before chunking (and leaves it out of the features); --chunk-period dates chunks', () => {
    const plain = JSON.parse(
      pmm(
        'multivariate',
        '--reference',
        'telco-like-ref.csv',
        '--analysis',
        'telco-like-ana.csv',
        '--format',
        'json',
      ).stdout,
    );
    const r = pmm(
      'multivariate',
      ...['--reference', 'ref-ts.csv', '--analysis', 'ana-ts.csv', '--timestamp', 'ts', '--format', 'json'],
    );
    expect(r.stderr).toBe('');
    const sorted = JSON.parse(r.stdout);
    expect(sorted.columns).toEqual(plain.columns);
    sorted.chunks.forEach((c: { value: number }, i: number) => {
      expect(rel(c.value, plain.chunks[i].value)).toBeLessThanOrEqual(1e-12);
    });
    expect(sorted.chunks[0].start_date).toBe('2024-01-01T00:00:00.000Z');
    const daily = JSON.parse(
      pmm(
        'multivariate',
        ...['--reference', 'ref-ts.csv', '--analysis', 'ana-ts.csv', '--timestamp', 'ts'],
        ...['--chunk-period', '1d', '--format', 'json'],
      ).stdout,
    );
    // 2000 hourly rows: 83 full days and 8 hours
    expect(daily.chunks).toHaveLength(84);
    expect(daily.chunks[0]).toMatchObject({
      key: '2024-01-01',
      rows: 24,
      end_date: '2024-01-01T23:59:59.999Z',
    });
    expect(daily.chunks.at(-1).rows).toBe(8);
  });

  it('writes one small self-contained HTML file', () => {
    const r = pmm(
      'multivariate',
      ...['--reference', 'telco-like-ref.csv', '--analysis', 'telco-like-ana.csv', '--format', 'html'],
      ...['--out', 'report.html'],
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote report\.html/);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).toContain('5 alert(s)');
    expect(html).toMatch(/relations between columns have changed/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html.length).toBeLessThan(20_000);
  });

  it('prints a text table with the alerts', () => {
    const r = pmm('multivariate', '--reference', 'telco-like-ref.csv', '--analysis', 'telco-like-ana.csv');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/6 column\(s\), 3 component\(s\)/);
    expect(r.stdout.match(/ALERT/g)).toHaveLength(5);
  });

  const base = ['multivariate', '--reference', 'telco-like-ref.csv', '--analysis', 'telco-like-ana.csv'];

  it('ends bad columns with one line and a non-zero exit', () => {
    expectOneLineError(pmm(...base, '--categorical', 'nosuch'), /column "nosuch" is in neither/);
    expectOneLineError(pmm(...base, '--ignore', 'nosuch'), /"nosuch"/);
    expectOneLineError(
      pmm(...base, '--ignore', 'tenure,MonthlyCharges,TotalCharges,Contract,SeniorCitizen,PaperlessBilling'),
      /no usable column/,
    );
    expectOneLineError(
      pmm('multivariate', '--reference', 'three.csv', '--analysis', 'constant.csv', '--chunk-size', '2'),
      /column "b" is numbers in three\.csv but text in constant\.csv/,
    );
  });

  it('ends too few rows and constant data with one line and a non-zero exit', () => {
    expectOneLineError(
      pmm('multivariate', '--reference', 'three.csv', '--analysis', 'three.csv', '--chunk-number', '5'),
      /three\.csv: cannot split 3 rows into 5 chunks/,
    );
    expectOneLineError(
      pmm('multivariate', '--reference', 'three.csv', '--analysis', 'three.csv'),
      /cannot split 3 rows into 10 chunks/,
    );
    expectOneLineError(
      pmm('multivariate', '--reference', 'constant.csv', '--analysis', 'constant.csv', '--chunk-size', '2'),
      /every column is constant in the reference \(a, b\)/,
    );
  });

  it('ends bad flags with one line and a non-zero exit', () => {
    expectOneLineError(pmm(...base, '--categorical', 'tenure', '--numerical', 'tenure'), /both/);
    expectOneLineError(pmm(...base, '--chunk-period', '1d'), /--chunk-period needs --timestamp/);
    expectOneLineError(pmm(...base, '--timestamp', 'tenure'), /row 2 is "\d+", not a date/);
    expectOneLineError(pmm(...base, '--format', 'pdf'), /--format must be one of text, json, html/);
  });
});

/** A seeded shuffle (mulberry32), so the Telco test is the same every run. */
function shuffled<T>(values: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function correlation(x: number[], y: number[]): number {
  const ok = x.map((_, i) => Number.isFinite(x[i]!) && Number.isFinite(y[i]!));
  const xs = x.filter((_, i) => ok[i]);
  const ys = y.filter((_, i) => ok[i]);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((v, i) => {
    sxy += (v - mx) * (ys[i]! - my);
    sxx += (v - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

const TELCO = telcoCsvPath();
const telcoReady = requireParts('the Telco multivariate test', { 'Telco data': TELCO });

describe.skipIf(!telcoReady)('the Telco claim: a broken relation between columns', () => {
  it('univariate drift flags no column while the reconstruction error alerts on every full chunk', () => {
    const lines = readFileSync(TELCO, 'utf8').trim().split(/\r?\n/);
    const header = lines[0]!.split(',');
    const rows = lines.slice(1).map((l) => l.split(','));
    const tenure = header.indexOf('tenure');
    const total = header.indexOf('TotalCharges');
    const half = Math.floor(rows.length / 2);
    const write = (file: string, part: string[][]) =>
      writeFileSync(path.join(dir, file), `${[header, ...part].map((r) => r.join(',')).join('\n')}\n`);
    write('telco-ref.csv', rows.slice(0, half));
    // the recent customers: TotalCharges shuffled among them, every column's own distribution unchanged
    const recent = rows.slice(half);
    const moved = shuffled(
      recent.map((r) => r[total]!),
      16,
    );
    const broken = recent.map((r, i) => r.map((cell, j) => (j === total ? moved[i]! : cell)));
    write('telco-control.csv', recent);
    write('telco-broken.csv', broken);
    const num = (part: string[][], j: number) =>
      part.map((r) => (r[j]!.trim() === '' ? Number.NaN : Number(r[j])));
    expect(correlation(num(recent, tenure), num(recent, total))).toBeGreaterThan(0.8);
    expect(Math.abs(correlation(num(broken, tenure), num(broken, total)))).toBeLessThan(0.1);

    const ignore = ['--ignore', 'customerID,Churn'];
    const drift = pmm(
      'drift',
      ...['--reference', 'telco-ref.csv', '--current', 'telco-broken.csv', ...ignore, '--format', 'json'],
    );
    expect(drift.code, drift.stderr).toBe(0);
    const univariate = JSON.parse(drift.stdout);
    expect(univariate.number_of_tested_columns).toBe(19);
    expect(univariate.number_of_drifted_columns).toBe(0);

    const run = (analysis: string) => {
      const r = pmm(
        'multivariate',
        ...['--reference', 'telco-ref.csv', '--analysis', analysis, ...ignore, '--format', 'json'],
      );
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { components: number; chunks: { rows: number; alert: boolean }[] };
    };
    // 10 chunks of 352 rows and a last one of 2, as NannyML's default chunker cuts 3,522 rows
    const full = (out: ReturnType<typeof run>) => out.chunks.filter((c) => c.rows === 352);
    const control = run('telco-control.csv');
    expect(full(control)).toHaveLength(10);
    expect(full(control).filter((c) => c.alert)).toHaveLength(0);
    const broken2 = run('telco-broken.csv');
    expect(broken2.components).toBe(4);
    expect(full(broken2).every((c) => c.alert)).toBe(true);
  });
});
