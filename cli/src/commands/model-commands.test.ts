// The data, train and predict commands through the real executable: outputs, exit codes and error messages.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXAMPLE_FEATURES } from '@pmm/core/schema';
import { requireParts, telcoCsvPath } from '@pmm/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../main';
import { isCleanFailure, runCli, runCliAsync } from '../util/run-cli';

const dir = mkdtempSync(path.join(tmpdir(), 'pmm-cli-'));
const SHARED_TELCO_CSV = telcoCsvPath();
const present = requireParts('the CLI data/model tests', { 'Telco data': SHARED_TELCO_CSV });

describe('pmm --help', () => {
  it('prints help for the program and every subcommand', () => {
    const program = buildProgram();
    const paths: string[][] = [[]];
    const walk = (cmd: typeof program, prefix: string[]) => {
      for (const sub of cmd.commands) {
        paths.push([...prefix, sub.name()]);
        walk(sub, [...prefix, sub.name()]);
      }
    };
    walk(program, []);
    expect(paths.length).toBeGreaterThan(4);
    for (const p of paths) {
      const run = runCli([...p, '--help']);
      expect(run.code, p.join(' ')).toBe(0);
      expect(run.stdout).toMatch(/Usage: pmm/);
    }
  });

  it('rejects an unknown command with a non-zero exit', () => {
    const run = runCli(['nonsense']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/unknown command/);
  });
});

describe('pmm data fetch', () => {
  it.skipIf(!present)('falls back to the given copy offline and verifies it', () => {
    const out = path.join(dir, 'fetched.csv');
    const run = runCli([
      'data',
      'fetch',
      '--offline',
      '--from',
      SHARED_TELCO_CSV,
      '--out',
      out,
      '--format',
      'json',
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.sha256).toBe('16320c9c1ec72448db59aa0a26a0b95401046bef5d02fd3aeb906448e3055e91');
    expect(readFileSync(out).length).toBe(970457);
    expect(
      JSON.parse(runCli(['data', 'fetch', '--offline', '--out', out, '--format', 'json']).stdout).source,
    ).toBe('existing file');
  });

  it.skipIf(!present)(
    'downloads and verifies from the network, as a clone without ../shared does',
    async () => {
      // A local mirror stands in for the public address (this machine has no internet); the code path is the
      // download's: fetch, sha256 check, write. A mirror serving other bytes is refused and the copy used.
      const good = readFileSync(SHARED_TELCO_CSV);
      const server = createServer((req, res) => {
        res.end(req.url === '/telco.csv' ? good : 'customerID\n1\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      try {
        const out = path.join(dir, 'downloaded', 'telco.csv');
        const run = await runCliAsync(
          ['data', 'fetch', '--url', `http://127.0.0.1:${port}/telco.csv`, '--out', out, '--format', 'json'],
          { cwd: dir },
        );
        expect(run.code, run.stderr).toBe(0);
        expect(JSON.parse(run.stdout).source).toBe(`http://127.0.0.1:${port}/telco.csv`);
        expect(readFileSync(out).equals(good)).toBe(true);
        const bad = await runCliAsync(
          ['data', 'fetch', '--out', path.join(dir, 'other.csv'), '--from', SHARED_TELCO_CSV],
          { cwd: dir, env: { PMM_TELCO_URL: `http://127.0.0.1:${port}/wrong.csv` } },
        );
        expect(bad.code, bad.stderr).toBe(0);
        expect(bad.stderr).toContain(`http://127.0.0.1:${port}/wrong.csv: sha256`);
        expect(bad.stdout).toContain(`from ${SHARED_TELCO_CSV}`);
      } finally {
        server.close();
      }
    },
  );

  it('refuses a file whose sha256 does not match, naming it', () => {
    const fake = path.join(dir, 'fake.csv');
    writeFileSync(fake, 'customerID,gender\n1,Male\n');
    const run = runCli(['data', 'fetch', '--offline', '--from', fake, '--out', path.join(dir, 'never.csv')]);
    expect(isCleanFailure(run)).toBe(true);
    expect(run.stderr).toContain(`${fake}: sha256`);
    expect(existsSync(path.join(dir, 'never.csv'))).toBe(false);
  });
});

describe.skipIf(!present)('pmm train and pmm predict', () => {
  const model = path.join(dir, 'model');

  beforeAll(() => {
    const run = runCli(['train', '--data', SHARED_TELCO_CSV, '--out', model, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
  });

  it('writes model.onnx and model.json and reports holdout metrics', () => {
    const card = JSON.parse(readFileSync(path.join(model, 'model.json'), 'utf8'));
    expect(card.metrics.roc_auc).toBeGreaterThanOrEqual(0.84);
    expect(existsSync(path.join(model, 'model.onnx'))).toBe(true);
  });

  it('predicts the README example with both engines alike', () => {
    const json = JSON.stringify({ features: EXAMPLE_FEATURES });
    const ort = JSON.parse(runCli(['predict', '--model', model, '--json', json, '--format', 'json']).stdout);
    const lite = JSON.parse(
      runCli(['predict', '--model', model, '--json', json, '--engine', 'lite', '--format', 'json']).stdout,
    );
    expect(ort.predictions).toHaveLength(1);
    const [p] = ort.predictions;
    expect(p.probability).toBeGreaterThan(0);
    expect(p.probability).toBeLessThan(1);
    expect(p.label).toBe(p.probability >= 0.5 ? 1 : 0);
    expect(Math.abs(lite.predictions[0].probability - p.probability)).toBeLessThanOrEqual(1e-6);
  });

  it('answers one entry per CSV row in order, reporting a bad row by number and field', () => {
    const lines = readFileSync(SHARED_TELCO_CSV, 'utf8').split('\n').slice(0, 6);
    lines[3] = lines[3]!
      .replace('Month-to-month', 'Weekly')
      .replace('One year', 'Weekly')
      .replace('Two year', 'Weekly');
    const csv = path.join(dir, 'five.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const run = runCli(['predict', '--model', model, '--input', csv, '--format', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^pmm: 1 of 5 row\(s\) failed validation: row 3, field contract/);
    const out = JSON.parse(run.stdout);
    expect(out.predictions.map((p: { row: number }) => p.row)).toEqual([1, 2, 3, 4, 5]);
    expect(out.predictions[2]).toMatchObject({ row: 3, probability: null, errors: [{ field: 'contract' }] });
    expect(
      out.predictions.filter((p: { probability: number | null }) => p.probability !== null),
    ).toHaveLength(4);
  });

  it('refuses a corrupted model.onnx with a one-line message', () => {
    const bad = path.join(dir, 'corrupted');
    mkdirSync(bad, { recursive: true });
    copyFileSync(path.join(model, 'model.json'), path.join(bad, 'model.json'));
    const bytes = readFileSync(path.join(model, 'model.onnx'));
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(path.join(bad, 'model.onnx'), bytes);
    const run = runCli(['predict', '--model', bad, '--json', JSON.stringify(EXAMPLE_FEATURES)]);
    expect(isCleanFailure(run)).toBe(true);
    expect(run.stderr).toMatch(/sha256 mismatch/);
  });

  it.each([
    [['predict', '--model', path.join(dir, 'nowhere'), '--json', '{}'], /model\.json not found/],
    [['predict', '--model', model], /exactly one of --input/],
    [['predict', '--model', model, '--json', '{not json'], /--json is not valid JSON/],
    [['predict', '--model', model, '--json', '{"features":{"tenure":1}}'], /row 1, field gender: /],
    [
      ['predict', '--model', model, '--json', '{}', '--engine', 'gpu'],
      /--engine must be one of ort, lite \(got "gpu"\)/,
    ],
    [['train', '--data', path.join(dir, 'missing.csv'), '--out', path.join(dir, 'x')], /CSV file not found/],
    [
      ['train', '--data', SHARED_TELCO_CSV, '--out', path.join(dir, 'x'), '--seed', 'abc'],
      /--seed must be an integer/,
    ],
    [
      ['train', '--data', SHARED_TELCO_CSV, '--out', path.join(dir, 'x'), '--hidden', '0'],
      /--hidden must be/,
    ],
  ])('fails cleanly: %j', (args, message) => {
    const run = runCli(args as string[]);
    expect(isCleanFailure(run), run.stderr).toBe(true);
    expect(run.stderr).toMatch(message as RegExp);
  });

  it('refuses to train on an empty file or one without labels', () => {
    const empty = path.join(dir, 'empty.csv');
    writeFileSync(empty, '');
    expect(runCli(['train', '--data', empty, '--out', path.join(dir, 'y')]).stderr).toMatch(
      /CSV file is empty/,
    );
    const unlabelled = path.join(dir, 'unlabelled.csv');
    const text = readFileSync(SHARED_TELCO_CSV, 'utf8').replace(/,Churn\n/, ',Other\n');
    writeFileSync(unlabelled, text);
    const run = runCli(['train', '--data', unlabelled, '--out', path.join(dir, 'y')]);
    expect(isCleanFailure(run)).toBe(true);
    expect(run.stderr).toMatch(/no Churn column/);
  });
});
