// Every drift method against scipy/Evidently reference scores (fixtures/generate.py), plus edge cases.

import { describe, expect, it } from 'vitest';
import raw from '../fixtures/drift-methods.json';
import {
  closeAbs,
  closeRel,
  type Fixtures,
  generate,
  type MethodCase,
  mulberry32,
  num,
} from '../fixtures/fixture-support';
import { ksTwoSample } from '../stats/ks-two-sample';
import type { ColumnPair } from '../types';
import { DRIFT_METHODS, DriftInputError } from './index';

const fixtures = raw as unknown as Fixtures;

/** p-values: 1e-6 absolute; statistics and distances: 1e-9 relative. */
const TOLERANCE: Record<string, { abs?: number; rel?: number }> = {
  ks: { abs: 1e-6 },
  chisquare: { abs: 1e-6 },
  z: { abs: 1e-6 },
  wasserstein: { rel: 1e-9 },
  jensenshannon: { rel: 1e-9 },
  psi: { rel: 1e-9 },
};

function pairOf(c: MethodCase): ColumnPair {
  const ref = c.spec ? generate(c.spec.reference) : Float64Array.from(c.reference!);
  const cur = c.spec ? generate(c.spec.current) : Float64Array.from(c.current!);
  if (c.type === 'numerical') return { type: 'numerical', reference: ref, current: cur };
  return {
    type: 'categorical',
    reference: Int32Array.from(ref),
    current: Int32Array.from(cur),
    categories: c.categories!,
  };
}

describe('fixture inputs', () => {
  it('mulberry32 reproduces generate.py exactly', () => {
    const rnd = mulberry32(fixtures.special.mulberry32.seed);
    expect(fixtures.special.mulberry32.first.map(() => rnd())).toEqual(fixtures.special.mulberry32.first);
  });
});

describe.each(Object.keys(TOLERANCE))('%s against the reference', (name) => {
  const method = DRIFT_METHODS[name]!;
  const cases = fixtures.cases.filter((c) => method.kinds.includes(c.type) && name in c.expected);
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const pair = pairOf(c);
    const expected = num(c.expected[name]!);
    const score = method.score(pair);
    const tol = TOLERANCE[name]!;
    const ok =
      tol.abs !== undefined ? closeAbs(score, expected, tol.abs) : closeRel(score, expected, tol.rel!);
    expect(ok, `score ${score}, expected ${expected}`).toBe(true);
    expect(method.drifted(score, method.defaultThreshold)).toBe(
      method.drifted(expected, method.defaultThreshold),
    );
  });
});

describe('ks statistic', () => {
  const cases = fixtures.cases.filter((c) => c.type === 'numerical');
  it.each(cases.map((c) => [c.name, c] as const))('%s: D to 1e-12 relative', (_, c) => {
    const pair = pairOf(c);
    const d = ksTwoSample(pair.reference, pair.current).statistic;
    expect(closeRel(d, num(c.expected['ksStatistic']!), 1e-12), `D ${d}`).toBe(true);
  });

  it('switches from exact to asymptotic above 10000 per side', () => {
    const a = new Float64Array(10000).map((_, i) => i);
    expect(ksTwoSample(a, a.slice(0, 9999)).method).toBe('exact');
    expect(
      ksTwoSample(
        new Float64Array(10001).map((_, i) => i),
        a,
      ).method,
    ).toBe('asymp');
  });
});

const num1 = (r: number[], c: number[]): ColumnPair => ({
  type: 'numerical',
  reference: Float64Array.from(r),
  current: Float64Array.from(c),
});
const cat1 = (r: number[], c: number[], categories: string[]): ColumnPair => ({
  type: 'categorical',
  reference: Int32Array.from(r),
  current: Int32Array.from(c),
  categories,
});

describe('edge cases', () => {
  it('every method throws DriftInputError on an empty side', () => {
    for (const method of Object.values(DRIFT_METHODS)) {
      for (const kind of method.kinds) {
        const emptyRef = kind === 'numerical' ? num1([], [1, 2]) : cat1([], [0, 1], ['a', 'b']);
        const emptyCur = kind === 'numerical' ? num1([1, 2], []) : cat1([0, 1], [], ['a', 'b']);
        expect(() => method.score(emptyRef), `${method.name} empty reference`).toThrow(DriftInputError);
        expect(() => method.score(emptyCur), `${method.name} empty current`).toThrow(/current/);
      }
    }
  });

  it('numerical-only methods throw DriftInputError on a categorical column', () => {
    const pair = cat1([0, 1], [1, 0], ['a', 'b']);
    expect(() => DRIFT_METHODS['ks']!.score(pair)).toThrow(DriftInputError);
    expect(() => DRIFT_METHODS['wasserstein']!.score(pair)).toThrow(DriftInputError);
  });

  it('identical constant columns: no drift by any method', () => {
    const pair = num1([3, 3, 3], [3, 3]);
    expect(DRIFT_METHODS['ks']!.score(pair)).toBe(1);
    expect(DRIFT_METHODS['wasserstein']!.score(pair)).toBe(0);
    expect(DRIFT_METHODS['z']!.score(pair)).toBe(1);
    expect(DRIFT_METHODS['jensenshannon']!.score(pair)).toBe(0);
    expect(DRIFT_METHODS['psi']!.score(pair)).toBe(0);
    expect(DRIFT_METHODS['chisquare']!.score(pair)).toBeNaN(); // one category: 0 degrees of freedom, as scipy
    expect(DRIFT_METHODS['chisquare']!.drifted(Number.NaN, 0.05)).toBe(false);
  });

  it('a constant reference divides the Wasserstein distance by 0.001', () => {
    expect(DRIFT_METHODS['wasserstein']!.score(num1([2, 2], [2, 3]))).toBeCloseTo(0.5 / 0.001, 9);
  });

  it('a category seen only in current gives chisquare p = 0', () => {
    expect(DRIFT_METHODS['chisquare']!.score(cat1([0, 1], [0, 1, 2], ['a', 'b', 'c']))).toBe(0);
  });

  it('never mutates its inputs', () => {
    const reference = Float64Array.from([5, 1, 4, 2, 3]);
    const current = Float64Array.from([9, 0, 7]);
    const pair: ColumnPair = { type: 'numerical', reference, current };
    for (const method of Object.values(DRIFT_METHODS)) method.score(pair);
    expect(Array.from(reference)).toEqual([5, 1, 4, 2, 3]);
    expect(Array.from(current)).toEqual([9, 0, 7]);
  });

  it('the registry holds the six methods under their names, with Evidently defaults', () => {
    expect(Object.keys(DRIFT_METHODS).sort()).toEqual([
      'chisquare',
      'jensenshannon',
      'ks',
      'psi',
      'wasserstein',
      'z',
    ]);
    for (const [name, m] of Object.entries(DRIFT_METHODS)) expect(m.name).toBe(name);
    expect(DRIFT_METHODS['ks']!.drifted(0.049, 0.05)).toBe(true);
    expect(DRIFT_METHODS['ks']!.drifted(0.05, 0.05)).toBe(false);
    expect(DRIFT_METHODS['psi']!.drifted(0.1, 0.1)).toBe(true);
    expect(DRIFT_METHODS['wasserstein']!.kind).toBe('distance');
  });
});
