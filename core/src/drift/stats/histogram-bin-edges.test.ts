// Sturges bin edges and histogram counts against numpy; binColumnPair's choice of bins.

import { describe, expect, it } from 'vitest';
import raw from '../fixtures/drift-methods.json';
import type { Fixtures } from '../fixtures/fixture-support';
import { binByValue, binColumnPair } from './bin-column-pair';
import { DriftInputError } from './drift-input-error';
import { histogramCounts, sturgesBinEdges } from './histogram-bin-edges';

const { special } = raw as unknown as Fixtures;

describe('sturgesBinEdges and histogramCounts against numpy', () => {
  it.each(special.histogram.map((h, i) => [i, h] as const))(
    'case %i: edges exactly, counts exactly',
    (_, h) => {
      const edges = sturgesBinEdges(h.values);
      expect(Array.from(edges)).toEqual(h.edges);
      expect(Array.from(histogramCounts(h.values, edges))).toEqual(h.counts);
    },
  );

  it('puts a value on an inner edge in the bin it starts, the maximum in the last bin', () => {
    const edges = new Float64Array([0, 1, 2, 3]);
    expect(Array.from(histogramCounts([0, 1, 2, 3, 3], edges))).toEqual([1, 1, 3]);
    expect(Array.from(histogramCounts([-1, 4], edges))).toEqual([0, 0, 0]);
  });

  it('throws DriftInputError with no values', () => {
    expect(() => sturgesBinEdges([], [])).toThrow(DriftInputError);
  });
});

describe('binColumnPair', () => {
  it('uses value bins for <= 20 distinct reference values and Sturges bins above', () => {
    const twenty = new Float64Array(20).map((_, i) => i);
    const many = new Float64Array(21).map((_, i) => i);
    const cur = new Float64Array([0, 100]);
    expect(binColumnPair({ type: 'numerical', reference: twenty, current: cur }).kind).toBe('values');
    expect(binColumnPair({ type: 'numerical', reference: many, current: cur }).kind).toBe('histogram');
  });

  it('bins by value over the union, with zero counts for values seen on one side only', () => {
    const b = binByValue({
      type: 'numerical',
      reference: new Float64Array([1, 1]),
      current: new Float64Array([3]),
    });
    expect(b.kind).toBe('values');
    if (b.kind !== 'values') return;
    expect(Array.from(b.values)).toEqual([1, 3]);
    expect(Array.from(b.reference)).toEqual([2, 0]);
    expect(Array.from(b.current)).toEqual([0, 1]);
  });

  it('drops categories absent from both sides', () => {
    const b = binColumnPair({
      type: 'categorical',
      reference: new Int32Array([0, 2]),
      current: new Int32Array([2, 2]),
      categories: ['a', 'b', 'c'],
    });
    expect(b.kind === 'categories' && b.categories).toEqual(['a', 'c']);
    expect(Array.from(b.reference)).toEqual([1, 1]);
    expect(Array.from(b.current)).toEqual([0, 2]);
  });

  it('throws DriftInputError on an empty side', () => {
    expect(() =>
      binColumnPair({ type: 'numerical', reference: new Float64Array(0), current: new Float64Array([1]) }),
    ).toThrow(DriftInputError);
  });
});
