// `pmm detect` through the real executable: River's documented detections, JSON shape and one-line errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../util/paths';

const PMM = path.join(REPO_ROOT, 'cli', 'bin', 'pmm.js');
const STREAMS = path.join(REPO_ROOT, 'core', 'src', 'detect', 'fixtures', 'streams.json');
let dir: string;

function pmm(...args: string[]) {
  const r = spawnSync(process.execPath, [PMM, ...args], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(r: ReturnType<typeof pmm>, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pmm-detect-'));
  const { stream } = JSON.parse(readFileSync(STREAMS, 'utf8')).doctest as { stream: number[] };
  writeFileSync(path.join(dir, 'stream.csv'), `t,x\n${stream.map((v, i) => `${i},${v}`).join('\n')}\n`);
  writeFileSync(path.join(dir, 'bad.csv'), 'x\n1\n2\nabc\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pmm detect', () => {
  const cases: [string, string[], number[]][] = [
    ['adwin', [], [1023]],
    ['page-hinkley', [], [1006]],
    ['kswin', ['--param', 'alpha=0.0001', '--param', 'seed=42'], [1016]],
  ];
  for (const [method, params, expected] of cases) {
    it(`${method} gives River's documented detection on its doctest stream`, () => {
      const r = pmm(
        'detect',
        '--method',
        method,
        '--input',
        'stream.csv',
        '--column',
        'x',
        ...params,
        '--format',
        'json',
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.detections).toEqual(expected);
      expect(out.rows).toBe(2000);
    });
  }

  it('reports the seed KSWIN drew when none was given, and that seed repeats the run', () => {
    const first = JSON.parse(
      pmm('detect', '--method', 'kswin', '--input', 'stream.csv', '--column', 'x', '--format', 'json').stdout,
    );
    expect(Number.isInteger(first.params.seed)).toBe(true);
    const again = JSON.parse(
      pmm(
        'detect',
        '--method',
        'kswin',
        '--input',
        'stream.csv',
        '--column',
        'x',
        '--param',
        `seed=${first.params.seed}`,
        '--format',
        'json',
      ).stdout,
    );
    expect(again.detections).toEqual(first.detections);
  });

  it('prints a one-line text summary', () => {
    const r = pmm('detect', '--method', 'adwin', '--input', 'stream.csv', '--column', 'x');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('adwin over "x" (2000 values): 1 change at row index 1023\n');
  });

  it('takes parameters by River name (a tiny delta detects nothing here)', () => {
    const r = pmm(
      'detect',
      '--method',
      'adwin',
      '--input',
      'stream.csv',
      '--column',
      'x',
      '--param',
      'delta=1e-300',
      '--format',
      'json',
    );
    expect(JSON.parse(r.stdout).detections).toEqual([]);
  });

  it('refuses bad input with one line', () => {
    expectOneLineError(
      pmm(
        'detect',
        '--method',
        'adwin',
        '--input',
        'stream.csv',
        '--param',
        'window_size=5',
        '--column',
        'x',
      ),
      /unknown parameter "window_size" for adwin/,
    );
    expectOneLineError(
      pmm('detect', '--method', 'adwin', '--input', 'stream.csv'),
      /choose one with --column/,
    );
    expectOneLineError(
      pmm('detect', '--method', 'adwin', '--input', 'stream.csv', '--column', 'y'),
      /no column "y"/,
    );
    expectOneLineError(
      pmm('detect', '--method', 'adwin', '--input', 'bad.csv'),
      /row 4 is "abc", not a number/,
    );
    expectOneLineError(pmm('detect', '--method', 'cusum', '--input', 'bad.csv'), /--method must be one of/);
    expectOneLineError(
      pmm(
        'detect',
        '--method',
        'page-hinkley',
        '--input',
        'stream.csv',
        '--column',
        'x',
        '--param',
        'mode=sideways',
      ),
      /mode must be/,
    );
    expectOneLineError(
      pmm('detect', '--method', 'kswin', '--input', 'stream.csv', '--column', 'x', '--param', 'stat_size=80'),
      /window_size/,
    );
  });
});
