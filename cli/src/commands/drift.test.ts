// Tests for `pmm drift` and `pmm bench drift` through the real CLI in a child process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireParts, telcoCsvPath } from '@pmm/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../util/paths';

const PMM = path.join(REPO_ROOT, 'cli', 'bin', 'pmm.js');
let dir: string;

function pmm(...args: string[]) {
  const result = spawnSync(process.execPath, [PMM, ...args], {
    encoding: 'utf8',
    cwd: dir,
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A CSV of n rows: id, x (uniform + shift), g (a/b/c, shifted towards c), flag (yes/no). */
function csv(n: number, shift: number, seed: number): string {
  let s = seed;
  const u = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const lines = ['id,x,g,flag'];
  for (let i = 0; i < n; i++) {
    const g = u() < shift ? 'c' : ['a', 'b', 'c'][Math.floor(u() * 3)];
    lines.push(`${seed}-${i},${(u() + shift).toFixed(4)},${g},${u() < 0.5 ? 'yes' : 'no'}`);
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pmm-drift-'));
  file('ref.csv', csv(400, 0, 1));
  file('same.csv', csv(400, 0, 2));
  file('shifted.csv', csv(400, 0.5, 3));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function expectOneLineError(result: ReturnType<typeof pmm>, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('pmm drift: happy paths', () => {
  it('prints a JSON report with columns as an array', () => {
    const r = pmm(
      'drift',
      '--reference',
      'ref.csv',
      '--current',
      'shifted.csv',
      '--ignore',
      'id',
      '--format',
      'json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.reference_rows).toBe(400);
    expect(report.current_rows).toBe(400);
    expect(report.columns.map((c: { column: string; method: string }) => [c.column, c.method])).toEqual([
      ['x', 'ks'],
      ['g', 'chisquare'],
      ['flag', 'z'],
    ]);
    const x = report.columns[0];
    expect(x).toMatchObject({ type: 'numerical', drifted: true, threshold: 0.05, missing_share: 0 });
    expect(report.columns[1].drifted).toBe(true);
    expect(report.dataset_drift).toBe(true);
    expect(report.reference_file).toBe('ref.csv');
    expect(typeof report.generated_at).toBe('string');
  });

  it('finds no drift between two samples of the same distribution', () => {
    const r = pmm(
      'drift',
      '--reference',
      'ref.csv',
      '--current',
      'same.csv',
      '--ignore',
      'id',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.number_of_drifted_columns).toBe(0);
    expect(report.dataset_drift).toBe(false);
  });

  it('prints a text table, drifted columns first', () => {
    const r = pmm('drift', '--reference', 'ref.csv', '--current', 'shifted.csv', '--columns', 'flag,x');
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^(x|flag)\s/.test(l));
    expect(rows[0]).toMatch(/^x\s+numerical\s+ks\s+.*DRIFT/);
    expect(rows[1]).toMatch(/^flag\s+categorical\s+z\s/);
    expect(r.stdout).toMatch(/DATASET DRIFT: 1 of 2 tested columns drifted/);
  });

  it('honours --method, --threshold, --categorical, --correction and --drift-share', () => {
    const r = pmm(
      'drift',
      '--reference',
      'ref.csv',
      '--current',
      'shifted.csv',
      '--ignore',
      'id',
      '--method',
      'psi',
      '--threshold',
      '0.2',
      '--categorical',
      'x',
      '--drift-share',
      '0.9',
      '--correction',
      'bh',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(
      report.columns.every(
        (c: { method: string; threshold: number }) => c.method === 'psi' && c.threshold === 0.2,
      ),
    ).toBe(true);
    expect(report.columns[0].type).toBe('categorical');
    expect(report.options).toMatchObject({
      method: 'psi',
      threshold: 0.2,
      drift_share: 0.9,
      correction: 'bh',
    });
  });

  it('writes a self-contained HTML file with --out', () => {
    const out = path.join(dir, 'report.html');
    const r = pmm(
      'drift',
      '--reference',
      'ref.csv',
      '--current',
      'shifted.csv',
      '--format',
      'html',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect((html.match(/<svg /g) ?? []).length).toBe(4);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe('pmm drift: bad input ends with one line naming the file or column', () => {
  it('a missing file', () => {
    expectOneLineError(
      pmm('drift', '--reference', 'nope.csv', '--current', 'ref.csv'),
      /^pmm: reference file not found: nope\.csv$/,
    );
  });

  it('an empty file and a header-only file', () => {
    file('empty.csv', '');
    file('header.csv', 'id,x,g,flag\n');
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'empty.csv'),
      /current file is empty: empty\.csv/,
    );
    expectOneLineError(
      pmm('drift', '--reference', 'header.csv', '--current', 'ref.csv'),
      /header\.csv: no data rows/,
    );
  });

  it('columns absent on one side', () => {
    file('less.csv', 'id,x,g\n1,0.5,a\n');
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'less.csv'),
      /column "flag" is in ref\.csv but not in less\.csv/,
    );
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'ref.csv', '--columns', 'x,zzz'),
      /column "zzz" is in neither ref\.csv nor ref\.csv/,
    );
  });

  it('a column of numbers in one file and text in the other when forced numerical', () => {
    file('text.csv', 'id,x,g,flag\n1,0.5,a,yes\n2,lots,b,no\n');
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'text.csv', '--numerical', 'x', '--ignore', 'id'),
      /^pmm: text\.csv: column "x" is numerical but row 2 holds "lots", not a number$/,
    );
  });

  it('a column of numbers in one file and text in the other', () => {
    file('text.csv', 'id,x,g,flag\n1,0.5,a,yes\n2,lots,b,no\n');
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'text.csv', '--ignore', 'id'),
      /^pmm: column "x" is numbers in ref\.csv but text in text\.csv \(row 2: "lots"\); pass --categorical x to compare it as text$/,
    );
  });

  it('an unknown method, a threshold out of range, a method that cannot apply', () => {
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'same.csv', '--method', 'magic'),
      /unknown drift method "magic" \(known: ks, chisquare, z, wasserstein, jensenshannon, psi\)/,
    );
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'same.csv', '--ignore', 'id', '--threshold', '1.5'),
      /threshold 1\.5 for column "x" is out of range/,
    );
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'same.csv', '--threshold', '-1'),
      /--threshold must be a positive number/,
    );
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'same.csv', '--method', 'ks'),
      /method "ks" cannot apply to categorical column "id"/,
    );
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'same.csv', '--correction', 'bonferroni'),
      /--correction must be none or bh/,
    );
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'same.csv', '--format', 'xml'),
      /--format must be one of text, json, html/,
    );
  });
});

describe('pmm drift on the Telco data split in two halves', () => {
  const SHARED_TELCO_CSV = telcoCsvPath();
  const available = requireParts('the Telco drift test', { 'Telco data': SHARED_TELCO_CSV });

  it.skipIf(!available)(
    'finds no drift between the halves, with TotalCharges blanks counted as missing',
    () => {
      const [header, ...rows] = readFileSync(SHARED_TELCO_CSV, 'utf8').trimEnd().split(/\r?\n/);
      const half = Math.floor(rows.length / 2);
      file('telco-a.csv', [header, ...rows.slice(0, half)].join('\n'));
      file('telco-b.csv', [header, ...rows.slice(half)].join('\n'));
      const r = pmm(
        'drift',
        '--reference',
        'telco-a.csv',
        '--current',
        'telco-b.csv',
        '--ignore',
        'customerID',
        '--format',
        'json',
      );
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout);
      expect(report.number_of_columns).toBe(20);
      expect(report.dataset_drift).toBe(false);
      const total = report.columns.find((c: { column: string }) => c.column === 'TotalCharges');
      expect(total.type).toBe('numerical');
      expect(total.method).toBe('wasserstein');
      expect(total.reference.missing + total.current.missing).toBe(11);
      const gender = report.columns.find((c: { column: string }) => c.column === 'gender');
      expect(gender).toMatchObject({ type: 'categorical', method: 'jensenshannon' });
      const html = pmm('drift', '--reference', 'telco-a.csv', '--current', 'telco-b.csv', '--format', 'html');
      expect(html.code).toBe(0);
      expect(html.stdout.length).toBeLessThan(1_000_000);
    },
  );
});

describe('pmm bench drift', () => {
  it('prints rows, columns, median seconds and peak RSS as the last line', () => {
    const r = pmm('bench', 'drift', '--rows', '20000', '--runs', '2', '--format', 'json');
    expect(r.code).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(last).toMatchObject({ rows: 20000, columns: 19 });
    expect(last.seconds).toBeGreaterThan(0);
    expect(last.peak_rss_mb).toBeGreaterThan(0);
  });
});

describe('pmm drift: id columns and bad files (the streaming reader)', { timeout: 120_000 }, () => {
  it('leaves out an all-distinct text column and a column given with --id-column, saying so in every format', () => {
    const lines = ['customer,x,g'];
    for (let i = 0; i < 1500; i++) lines.push(`c-${i},${i % 10},${'abc'[i % 3]}`);
    file('ids.csv', `${lines.join('\n')}\n`);
    const json = JSON.parse(
      pmm('drift', '--reference', 'ids.csv', '--current', 'ids.csv', '--format', 'json').stdout,
    );
    expect(json.columns.map((c: { column: string }) => c.column)).toEqual(['x', 'g']);
    expect(json.excluded_columns).toEqual([
      {
        column: 'customer',
        reason: 'every value is distinct (1500 in the reference, 1500 in the current): an id, not a feature',
      },
    ]);
    const text = pmm('drift', '--reference', 'ids.csv', '--current', 'ids.csv', '--id-column', 'g');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('left out: g: given as an id column');
    expect(text.stdout).toContain('left out: customer: every value is distinct');
    const html = pmm('drift', '--reference', 'ids.csv', '--current', 'ids.csv', '--format', 'html');
    expect(html.stdout).toContain('<h2>Left out</h2>');
    expect(html.stdout).toContain('<b>customer</b>');
  });

  it('names the line of a malformed record and never leaves a half-written --out report', () => {
    file('ragged.csv', 'id,x,g,flag\n1,0.5,a,yes\n2,0.7,b\n');
    file('unbalanced.csv', 'id,x,g,flag\n1,0.5,a,yes\n2,"0.7,b,no\n');
    file('latin1.csv', '');
    writeFileSync(
      path.join(dir, 'latin1.csv'),
      Buffer.from([...Buffer.from('id,x,g,flag\n1,2,caf'), 0xe9, ...Buffer.from(',no\n')]),
    );
    const out = path.join(dir, 'never-written.html');
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'ragged.csv', '--out', out),
      /^pmm: ragged\.csv: line 3 has 3 fields, the header has 4$/,
    );
    expectOneLineError(
      pmm('drift', '--reference', 'unbalanced.csv', '--current', 'ref.csv', '--out', out),
      /^pmm: unbalanced\.csv: line 3: a quoted field is not closed \(unbalanced quote\)$/,
    );
    expectOneLineError(
      pmm('drift', '--reference', 'ref.csv', '--current', 'latin1.csv', '--out', out),
      /^pmm: latin1\.csv: the file is not UTF-8 text/,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('pmm bench drift-csv', { timeout: 120_000 }, () => {
  const SHARED_TELCO_CSV = telcoCsvPath();
  const available = requireParts('the drift-csv bench test', { 'Telco data': SHARED_TELCO_CSV });
  it.skipIf(!available)(
    'writes two Telco-shaped files, runs pmm drift on them and prints seconds and peak RSS',
    () => {
      const r = pmm('bench', 'drift-csv', '--rows', '3000', '--dir', dir);
      expect(r.stderr).toBe('');
      const result = JSON.parse(r.stdout.trim());
      expect(result).toMatchObject({ rows: 3000 });
      expect(result.seconds).toBeGreaterThan(0);
      expect(result.peak_rss_mb).toBeGreaterThan(10);
      const header = readFileSync(path.join(dir, 'reference-3000.csv'), 'utf8').split('\n')[0];
      expect(header).toBe(readFileSync(SHARED_TELCO_CSV, 'utf8').split(/\r?\n/)[0]);
      const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
      expect(report.excluded_columns.map((c: { column: string }) => c.column)).toEqual(['customerID']);
      expect(report.number_of_columns).toBe(20);
      expect(report.columns.find((c: { column: string }) => c.column === 'MonthlyCharges').drifted).toBe(
        true,
      );
    },
  );
});
