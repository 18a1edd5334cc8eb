// The WebAssembly drift kernels against the TypeScript ones: random and edge-case inputs, and whole reports.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import raw from '../fixtures/drift-methods.json';
import { type Fixtures, generate, type MethodCase } from '../fixtures/fixture-support';
import { DRIFT_METHODS } from '../methods/index';
import { driftReport } from '../report';
import { histogramCountsTs, sturgesBinEdges } from '../stats/histogram-bin-edges';
import { ksStatisticSortedTs } from '../stats/ks-two-sample';
import { radixSortFloat64 } from '../stats/sort-float64';
import type { DriftColumn, DriftTable } from '../table';
import type { ColumnPair } from '../types';
import { useWasmDriftKernels } from './active-kernels';
import { instantiateDriftKernels, type WasmDriftKernels } from './wasm-kernels';

const WASM = new URL('../../../wasm/build/drift-kernels.wasm', import.meta.url);
let kernels: WasmDriftKernels;

beforeAll(async () => {
  if (!existsSync(WASM)) {
    throw new Error(`${WASM.pathname} is missing: run \`npm run build:wasm\` first`);
  }
  kernels = await instantiateDriftKernels(readFileSync(WASM));
});

afterEach(() => useWasmDriftKernels(null));

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

/** Random samples of many shapes plus the edge cases: empty, one value, ties, ±0, ±Infinity, subnormals. */
function samples(): Float64Array[] {
  const u = rng(42);
  const out: Float64Array[] = [
    new Float64Array(0),
    new Float64Array([1]),
    new Float64Array([0, -0, 0, -0, -0]),
    new Float64Array([3, Number.POSITIVE_INFINITY, -1, Number.NEGATIVE_INFINITY, 0, -0, 5e-324, -5e-324]),
    new Float64Array(5000).fill(7),
  ];
  for (const n of [10, 600, 5000, 70_000]) {
    out.push(Float64Array.from({ length: n }, () => u() * 2 - 1));
    out.push(Float64Array.from({ length: n }, () => Math.floor(u() * 5)));
    out.push(Float64Array.from({ length: n }, () => (u() < 0.5 ? -0 : 0) + Math.floor(u() * 3) - 1));
    out.push(Float64Array.from({ length: n }, () => Math.exp(30 * u()) * (u() < 0.5 ? -1 : 1)));
    out.push(Float64Array.from({ length: n }, () => (u() < 0.01 ? Number.POSITIVE_INFINITY : u())));
  }
  return out;
}

describe('WebAssembly drift kernels', () => {
  it('sort exactly as the TypeScript radix sort (−0 before +0, infinities at the ends)', () => {
    for (const values of samples()) {
      const expected = radixSortFloat64(values);
      expect(same(kernels.sortFloat64(values), expected), `n=${values.length}`).toBe(true);
      expect(same(expected, Float64Array.from(values).sort())).toBe(true);
    }
  });

  it('give the KS statistic and histogram counts of the TypeScript kernels, NaN values included', () => {
    const all = samples();
    for (let i = 0; i + 1 < all.length; i++) {
      const a = radixSortFloat64(all[i]!);
      const b = radixSortFloat64(all[i + 1]!);
      if (a.length > 0 && b.length > 0)
        expect(kernels.ksStatisticSorted(a, b)).toBe(ksStatisticSortedTs(a, b));
      const finite = (v: Float64Array) => v.filter(Number.isFinite);
      if (finite(a).length + finite(b).length === 0) continue;
      const edges = sturgesBinEdges(finite(a), finite(b));
      const withNaN = Float64Array.from([...all[i]!, Number.NaN]);
      expect(same(kernels.histogramCounts(withNaN, edges), histogramCountsTs(withNaN, edges))).toBe(true);
    }
    expect(Array.from(kernels.histogramCounts([1, 2], new Float64Array([1, 1])))).toEqual(
      Array.from(histogramCountsTs([1, 2], new Float64Array([1, 1]))),
    );
  });

  it('count codes as the TypeScript loop, flagging codes outside the dictionary', () => {
    const { counts, outside } = kernels.countCodes(new Int32Array([-1, 0, 2, 2, 5, -3]), 3);
    expect(Array.from(counts)).toEqual([1, 1, 0, 2]);
    expect(outside).toBe(2);
  });

  it('leave whole drift reports unchanged, bit for bit', () => {
    const u = rng(7);
    const n = 50_000;
    const table = (name: string, shift: number): DriftTable => {
      const columns = new Map<string, DriftColumn>([
        ['smooth', { type: 'numerical', values: Float64Array.from({ length: n }, () => u() + shift) }],
        [
          'money',
          {
            type: 'numerical',
            values: Float64Array.from({ length: n }, () => Math.round(u() * 1e4 + shift * 100) / 100),
          },
        ],
        [
          'few',
          {
            type: 'numerical',
            values: Float64Array.from({ length: n }, () =>
              u() < 0.01 ? Number.NaN : Math.floor(u() * 4 + shift),
            ),
          },
        ],
        [
          'tenure',
          {
            type: 'numerical',
            values: Float64Array.from({ length: n }, () => Math.floor(u() * (72 + 10 * shift))),
          },
        ],
      ]);
      return { name, rows: n, columns };
    };
    const ref = table('r', 0);
    const cur = table('c', 0.3);
    for (const method of [undefined, 'ks', 'wasserstein', 'psi', 'jensenshannon']) {
      const options = method ? { method } : {};
      const plain = driftReport(ref, cur, options);
      useWasmDriftKernels(kernels);
      const wasm = driftReport(ref, cur, options);
      useWasmDriftKernels(null);
      expect(wasm).toEqual(plain);
    }
  });

  it('give every scipy fixture case the score the TypeScript kernels give, bit for bit', () => {
    const fixtures = raw as unknown as Fixtures;
    const pairOf = (c: MethodCase): ColumnPair => {
      const ref = c.spec ? generate(c.spec.reference) : Float64Array.from(c.reference!);
      const cur = c.spec ? generate(c.spec.current) : Float64Array.from(c.current!);
      if (c.type === 'numerical') return { type: 'numerical', reference: ref, current: cur };
      return {
        type: 'categorical',
        reference: Int32Array.from(ref),
        current: Int32Array.from(cur),
        categories: c.categories!,
      };
    };
    let scored = 0;
    for (const c of fixtures.cases) {
      for (const name of Object.keys(c.expected)) {
        const method = DRIFT_METHODS[name];
        if (!method || !method.kinds.includes(c.type)) continue;
        const score = (): number | string => {
          try {
            return method.score(pairOf(c));
          } catch (error) {
            return (error as Error).message;
          }
        };
        const plain = score();
        useWasmDriftKernels(kernels);
        const wasm = score();
        useWasmDriftKernels(null);
        expect(Object.is(wasm, plain) || wasm === plain, `${c.name} ${name}`).toBe(true);
        scored++;
      }
    }
    expect(fixtures.cases.length).toBe(53);
    expect(scored).toBeGreaterThan(53);
  });
});
