// benjaminiHochberg against scipy.stats.false_discovery_control(method='bh').

import { describe, expect, it } from 'vitest';
import raw from '../fixtures/drift-methods.json';
import type { Fixtures } from '../fixtures/fixture-support';
import { benjaminiHochberg } from './benjamini-hochberg';

const { special } = raw as unknown as Fixtures;

describe('benjaminiHochberg', () => {
  it.each(special.benjaminiHochberg.map((c, i) => [i, c] as const))(
    'case %i matches scipy to 1e-15',
    (_, [ps, e]) => {
      const adjusted = benjaminiHochberg(ps);
      expect(adjusted).toHaveLength(e.length);
      adjusted.forEach((v, i) => {
        expect(Math.abs(v - e[i]!)).toBeLessThanOrEqual(1e-15);
      });
    },
  );

  it('keeps input order, leaves input untouched, passes NaN through', () => {
    const ps = new Float64Array([0.04, Number.NaN, 0.01]);
    const adjusted = benjaminiHochberg(ps);
    expect(Array.from(adjusted)).toEqual([0.04, Number.NaN, 0.02]);
    expect(Number.isNaN(ps[1]!)).toBe(true);
    expect(benjaminiHochberg([])).toEqual(new Float64Array(0));
  });
});
