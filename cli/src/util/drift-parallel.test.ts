// The two-thread drift report is the one-thread report, bit for bit, and a failing thread falls back.
import { driftReport } from '@pmm/core/drift';
import { afterAll, describe, expect, it } from 'vitest';
import { generateBenchTables } from '../commands/bench-drift';
import { DriftThread, driftReportParallel } from './drift-parallel';

const thread = new DriftThread();
afterAll(() => thread.close());

describe('drift report on two threads', () => {
  it('equals the one-thread report bit for bit, with and without options', async () => {
    const { reference, current } = generateBenchTables(300_000, 3);
    for (const options of [{}, { correction: 'bh' as const }, { method: 'psi' as const, driftShare: 0.3 }]) {
      const one = driftReport(reference, current, options);
      const two = await driftReportParallel(reference, current, options, thread);
      expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    }
  }, 120_000);

  it('reports bad options as driftReport does', async () => {
    const { reference, current } = generateBenchTables(300_000, 4);
    await expect(
      driftReportParallel(reference, current, { columns: { cat_1: { method: 'ks' } } }, thread),
    ).rejects.toThrow(/method "ks" cannot apply to categorical column "cat_1"/);
  }, 120_000);

  it('scores on this thread when the worker is gone', async () => {
    const gone = new DriftThread();
    await gone.ready();
    await gone.close();
    const { reference, current } = generateBenchTables(300_000, 5);
    const two = await driftReportParallel(reference, current, {}, gone);
    expect(JSON.stringify(two)).toBe(JSON.stringify(driftReport(reference, current)));
  }, 120_000);
});
