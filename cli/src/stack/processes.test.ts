// The stack's supervisor with real child processes: stops in reverse start order, forces a part that ignores
// SIGTERM after its grace time, and leaves none of a part's own children behind.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Supervisor } from './processes';

/** Running (a zombie waiting for its new parent to reap it counts as gone: it holds no port, runs no code). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};

async function waitForLine(lines: string[], pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  const t0 = Date.now();
  for (;;) {
    for (const line of lines) {
      const match = pattern.exec(line);
      if (match) return match;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`no line like ${pattern} in:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A part that says when it got SIGTERM and takes 300 ms to exit. */
const polite = (name: string) =>
  `process.on('SIGTERM', () => { console.log('${name} got SIGTERM'); setTimeout(() => process.exit(0), 300); });
   console.log('${name} up'); setInterval(() => {}, 1000);`;

describe('Supervisor', () => {
  it('stops the parts in reverse start order, each waited for', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor((line) => lines.push(line), 2_000);
    supervisor.spawn('first', process.execPath, ['-e', polite('first')]);
    await waitForLine(lines, /first up/);
    supervisor.spawn('second', process.execPath, ['-e', polite('second')]);
    await waitForLine(lines, /second up/);
    await supervisor.stopAll();
    const order = lines.filter((l) => l.includes('got SIGTERM'));
    expect(order).toEqual(['[second] second got SIGTERM', '[first] first got SIGTERM']);
  });

  it('kills a part that ignores SIGTERM after its grace time, with the children it started', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor((line) => lines.push(line), 500);
    // A part that ignores SIGTERM and has a child of its own (as wrangler has workerd), which ignores it too.
    const stubborn = `
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
      process.on('SIGTERM', () => {});
      console.log('grandchild ' + child.pid);
      setInterval(() => {}, 1000);`;
    const part = supervisor.spawn('stubborn', process.execPath, ['-e', stubborn]);
    const grandchild = Number((await waitForLine(lines, /grandchild (\d+)/))[1]);
    expect(alive(grandchild)).toBe(true);
    const t0 = Date.now();
    await supervisor.stopAll();
    const seconds = (Date.now() - t0) / 1000;
    expect(part.exited()).toBe('killed by SIGKILL');
    expect(seconds).toBeLessThan(10);
    // The grandchild was in the part's process group: gone too (give the kernel a moment to reap it).
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(grandchild)).toBe(false);
  });
});
