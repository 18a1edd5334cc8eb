// Simulated traffic: valid requests, deterministic, and the documented drift modes.
import { readFileSync } from 'node:fs';
import { requireParts, telcoCsvPath } from '@pmm/test-support';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../data/csv';
import { toFeatureRows } from '../data/telco';
import { featuresSchema } from '../data/telco-request';
import { createTraffic, inDriftSegment, PRICE_RISE } from './traffic';

const SHARED = telcoCsvPath();
const present = requireParts('the traffic tests', { 'Telco data': SHARED });

describe.skipIf(!present)('createTraffic', () => {
  const rows = present ? toFeatureRows(parseCsv(readFileSync(SHARED, 'utf8'))) : null;
  const source = { records: rows?.records ?? [], labels: rows?.labels ?? new Uint8Array() };
  const take = (drift: 'none' | 'gradual' | 'sudden', n: number, seed = 1) => {
    const gen = createTraffic(source, { drift, total: n, seed });
    return Array.from({ length: n }, (_, i) => gen(i));
  };

  it('produces valid requests, deterministic per seed', () => {
    for (const mode of ['none', 'gradual', 'sudden'] as const) {
      const a = take(mode, 300);
      expect(a.every((r) => featuresSchema.safeParse(r.features).success)).toBe(true);
      expect(take(mode, 300)).toEqual(a);
      expect(take(mode, 300, 2)).not.toEqual(a);
    }
  });

  it('none samples the whole population: segment share close to the data set', () => {
    const share = source.records.filter(inDriftSegment).length / source.records.length;
    const sample = take('none', 2000);
    expect(sample.every((r) => !r.drifted)).toBe(true);
    const sampled = sample.filter((r) => inDriftSegment(r.features)).length / sample.length;
    expect(Math.abs(sampled - share)).toBeLessThan(0.04);
  });

  it('sudden draws every customer from the segment with the price rise and keeps true outcomes', () => {
    const sample = take('sudden', 500);
    expect(sample.every((r) => r.drifted && inDriftSegment(r.features))).toBe(true);
    const maxMonthly = Math.max(...source.records.map((r) => r.monthly_charges as number));
    expect(Math.max(...sample.map((r) => r.features.monthly_charges as number))).toBeGreaterThan(maxMonthly);
    expect(Math.max(...sample.map((r) => r.features.monthly_charges as number))).toBeLessThanOrEqual(
      maxMonthly * PRICE_RISE + 0.01,
    );
    const churn = sample.filter((r) => r.outcome === 1).length / sample.length;
    expect(churn).toBeGreaterThan(0.4);
  });

  it('gradual ramps from no drift to full drift', () => {
    const sample = take('gradual', 1000);
    const early = sample.slice(0, 200).filter((r) => r.drifted).length;
    const late = sample.slice(800).filter((r) => r.drifted).length;
    expect(early).toBeLessThan(40);
    expect(late).toBeGreaterThan(160);
  });
});
