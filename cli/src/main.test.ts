// The command line's edges through the real executable (cli/bin/pmm.js): mistyped flags and commands as one
// `pmm: …` line, --version, a closed pipe ending quietly, and simulate's default data file.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireParts, telcoCsvPath } from '@pmm/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './util/paths';
import { runCli } from './util/run-cli';

const dir = mkdtempSync(path.join(tmpdir(), 'pmm-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A numeric CSV of n rows, big enough that its drift report takes a moment. */
function csv(name: string, n: number, shift: number): string {
  const lines = ['x,y'];
  for (let i = 0; i < n; i++) lines.push(`${((i * 7919) % 1000) / 1000 + shift},${(i * 31) % 17}`);
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('mistakes on the command line', () => {
  it('a mistyped flag is named on one line, with the right one suggested, even beside a required flag', () => {
    const run = runCli(['drift', '--refrence', 'a.csv', '--current', 'b.csv']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toBe("pmm: unknown option '--refrence' (did you mean --reference?)\n");
    expect(run.stdout).toBe('');
  });

  it('a mistyped optional flag too', () => {
    const run = runCli(['simulate', '--edge', 'http://127.0.0.1:1', '--rowz', '3']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toBe("pmm: unknown option '--rowz' (did you mean --rows?)\n");
  });

  it('a missing required option and an unknown command are one line each', () => {
    const missing = runCli(['profile', 'build', '--input', 'b.csv']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toBe("pmm: required option '--model <dir>' not specified\n");
    // pmm drift takes its reference from --reference or --model, and says so.
    const neither = runCli(['drift', '--current', 'b.csv']);
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toBe('pmm: missing --reference <csv> (or --model <dir>)\n');
    const unknown = runCli(['strat']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toBe("pmm: unknown command 'strat' (did you mean start?)\n");
  });

  it('--version prints the version of the pmm package', () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cli/package.json'), 'utf8')) as {
      version: string;
    };
    const run = runCli(['--version']);
    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('a closed pipe', () => {
  it('`pmm drift … | head` that stops reading ends quietly: no EPIPE, no stack trace', async () => {
    const reference = csv('ref.csv', 20_000, 0);
    const current = csv('cur.csv', 20_000, 0.3);
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'cli/bin/pmm.js'), 'drift', '--reference', reference, '--current', current],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // The reader goes away before pmm writes anything, as `head` does after its lines.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

const telco = telcoCsvPath();
describe.skipIf(!requireParts('pmm simulate data default', { 'Telco data': telco }))(
  'pmm simulate --data default',
  () => {
    it('reads data/telco.csv, the data step’s file, not ../shared', () => {
      const cwd = path.join(dir, 'with-data');
      mkdirSync(path.join(cwd, 'data'), { recursive: true });
      copyFileSync(telco, path.join(cwd, 'data', 'telco.csv'));
      // Nothing listens on port 1: the customers are read, then every request fails.
      const run = runCli(['simulate', '--edge', 'http://127.0.0.1:1', '--rows', '2'], { cwd });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^pmm: no request succeeded against http:\/\/127\.0\.0\.1:1 /);
    });

    it('runs the data step first when data/telco.csv is missing', () => {
      const cwd = path.join(dir, 'without-data');
      mkdirSync(cwd, { recursive: true });
      const run = runCli(['simulate', '--edge', 'http://127.0.0.1:1', '--rows', '2'], { cwd });
      expect(run.stderr).toContain('data/telco.csv is missing: running the data step (pmm data fetch) first');
      expect(run.stderr).not.toContain('CSV file not found');
      // The data step verifies the download or the offline copy; either way the file is there after it.
      if (existsSync(path.join(cwd, 'data', 'telco.csv'))) {
        expect(run.stderr).toMatch(/pmm: no request succeeded/);
      } else {
        expect(run.stderr).toMatch(/pmm: could not get a verified Telco CSV/);
      }
    });
  },
);
