// Profiles through the real executable: build per part, merge, drift from the merged profile against the same
// rows' raw-row report (categorical scores equal, numerical within the bound), and one-line errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toCsv } from '@pmm/core/data';
import { syntheticTable } from '@pmm/core/simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import { isCleanFailure, runCli } from '../util/run-cli';

const dir = mkdtempSync(path.join(tmpdir(), 'pmm-profile-'));
const train = syntheticTable({ rows: 3000, seed: 5, signals: 4 });
const trainCsv = path.join(dir, 'train.csv');
writeFileSync(trainCsv, toCsv(train.header, train.rows));
const model = path.join(dir, 'model');

// Current traffic: amounts up by half, and a card type the training data never had in a tenth of rows.
const current = syntheticTable({ rows: 2400, seed: 9, signals: 4 });
const amount = current.header.indexOf('Amount USD');
const card = current.header.indexOf('Card Type');
const shifted = current.rows.map((row, i) => {
  const out = [...row];
  if (out[amount] !== '') out[amount] = String(Number(out[amount]) * 1.5);
  if (i % 10 === 0) out[card] = 'prepaid';
  return out;
});
const parts = [shifted.slice(0, 1000), shifted.slice(1000)].map((rows, i) => {
  const file = path.join(dir, `part ${i}.csv`);
  writeFileSync(file, toCsv(current.header, rows));
  return file;
});
const wholeCsv = path.join(dir, 'current.csv');
writeFileSync(wholeCsv, toCsv(current.header, shifted));

interface Column {
  column: string;
  type: string;
  method: string;
  score: number;
  drifted: boolean;
  exact?: boolean;
  score_bound?: [number, number];
  verdict?: string;
}

function ok(args: string[]): string {
  const run = runCli(args, { timeoutMs: 300_000 });
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

describe('pmm profile build | merge, pmm drift --model', () => {
  beforeAll(() => {
    ok([
      'train',
      '--data',
      trainCsv,
      '--target',
      'Is Fraud',
      '--positive',
      'fraud',
      '--out',
      model,
      '--epochs',
      '3',
    ]);
  }, 300_000);

  it('merges part profiles into the whole file’s profile', () => {
    const files = parts.map((csv, i) => {
      const out = path.join(dir, `p${i}.json`);
      ok(['profile', 'build', '--model', model, '--input', csv, '--out', out]);
      return out;
    });
    const merged = path.join(dir, 'merged.json');
    ok(['profile', 'merge', ...files, '--out', merged]);
    const whole = JSON.parse(ok(['profile', 'build', '--model', model, '--input', wholeCsv]));
    const got = JSON.parse(readFileSync(merged, 'utf8'));
    expect(got.rows).toBe(2400);
    expect(got.score.counts).toEqual(whole.score.counts);
    expect(got.score.positives).toEqual(whole.score.positives);
    for (const [name, column] of Object.entries<{ counts: unknown }>(whole.columns)) {
      expect(got.columns[name].counts, name).toEqual(column.counts);
    }
    expect(got.columns['Card Type'].unseen).toBe(240);
    expect(readFileSync(merged).length).toBeLessThan(256 * 1024);
  }, 120_000);

  it('gives the raw-row scores for categorical columns and brackets the numerical ones', () => {
    const profileFile = path.join(dir, 'merged.json');
    const fromProfile = JSON.parse(
      ok(['drift', '--model', model, '--current-profile', profileFile, '--format', 'json']),
    ) as { source: string; columns: Column[] };
    const raw = JSON.parse(ok(['drift', '--model', model, '--current', wholeCsv, '--format', 'json'])) as {
      columns: Column[];
    };
    expect(fromProfile.source).toBe('profile');
    expect(fromProfile.columns.map((c) => c.column)).toEqual(raw.columns.map((c) => c.column));
    for (const r of raw.columns) {
      const p = fromProfile.columns.find((c) => c.column === r.column)!;
      if (r.type === 'categorical') {
        expect(p.exact).toBe(true);
        expect(Math.abs(p.score - r.score)).toBeLessThanOrEqual(1e-12);
      } else if (p.score_bound) {
        expect(r.score).toBeGreaterThanOrEqual(p.score_bound[0] - 1e-12);
        expect(r.score).toBeLessThanOrEqual(p.score_bound[1] + 1e-12);
      }
    }
    const amountColumn = fromProfile.columns.find((c) => c.column === 'Amount USD')!;
    expect(amountColumn.verdict).toBe('drift');
    expect(fromProfile.columns.find((c) => c.column === 'Card Type')!.drifted).toBe(true);
    const text = ok(['drift', '--model', model, '--current-profile', profileFile]);
    expect(text).toContain('From a profile: categorical scores are exact');
  }, 120_000);

  it('refuses bad input with one line', () => {
    const notJson = path.join(dir, 'bad.json');
    writeFileSync(notJson, '{"format":"pmm-profile/1"}');
    for (const [args, message] of [
      [['drift', '--model', model, '--current-profile', notJson], /bad\.json: layout_hash/],
      [['drift', '--current-profile', notJson], /--current-profile needs --model/],
      [['drift', '--model', model], /exactly one of --current <csv> or --current-profile/],
      [['profile', 'merge', notJson], /layout_hash/],
      [['profile', 'build', '--model', model, '--input', wholeCsv, '--score', 'nope'], /no column "nope"/],
    ] as const) {
      const run = runCli([...args], { timeoutMs: 60_000 });
      expect(isCleanFailure(run), run.stderr).toBe(true);
      expect(run.stderr).toMatch(message);
    }
  }, 120_000);
});
