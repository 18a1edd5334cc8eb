// CBPE and its building blocks against the NannyML-step reference script on scikit-learn (fixtures/generate.py).

import { describe, expect, it } from 'vitest';
import { sizeChunks } from '../chunk/size-chunks';
import raw from './fixtures/cbpe.json';
import {
  binIndexEdges,
  CbpeInputError,
  estimateCbpe,
  fitCbpe,
  fitIsotonic,
  type MetricResult,
  needsCalibration,
  numpyArgsort,
  predictIsotonic,
  standardDeviationThresholds,
  stratifiedShuffleSplit,
} from './index';

type Expected = Record<string, number | boolean | null>;
interface Case {
  name: string;
  reference: { scores: number[]; targets: number[] };
  analysis: { scores: number[]; targets: number[] };
  chunks_reference: [number, number][];
  chunks_analysis: [number, number][];
  calibrated: boolean;
  ece_before: number;
  ece_after: number;
  components: Record<string, [number, number]>;
  thresholds: Record<string, [number | null, number | null]>;
  reference_chunks: { start: number; end: number; rows: number; metrics: Record<string, Expected> }[];
  chunks: { start: number; end: number; rows: number; metrics: Record<string, Expected> }[];
}
const fixtures = raw as unknown as {
  cases: Case[];
  argsort: { values: number[]; order: number[] }[];
  isotonic: Record<string, number[]>;
  sss: { y: number[]; splits: { train: number[]; test: number[] }[] };
  documented: {
    needs_calibration: { targets: number[]; scores: number[]; expected: string | boolean };
    bin_edges_20_4: [number, number][];
    std_thresholds_range10: [number, number];
  };
};

const TOL = 1e-9;

/** JSON null stands for NaN. */
function close(actual: number, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNaN();
    return;
  }
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOL);
}

function compareChunk(
  actual: Record<string, MetricResult>,
  expected: Record<string, Expected>,
  where: string,
) {
  for (const [m, e] of Object.entries(expected)) {
    const a = actual[m]!;
    for (const k of [
      'estimate',
      'realized',
      'sampling_error',
      'lower_band',
      'upper_band',
      'lower_threshold',
      'upper_threshold',
    ] as const)
      close(a[k], e[k] as number | null, `${where} ${m}.${k}`);
    expect(a.alert, `${where} ${m}.alert`).toBe(e.alert);
  }
}

const predictionsOf = (scores: number[]) => scores.map((s) => (s >= 0.5 ? 1 : 0));

describe('numpy argsort (quicksort) port', () => {
  for (const [i, c] of fixtures.argsort.entries())
    it(`orders ties exactly as numpy (case ${i}, n=${c.values.length})`, () => {
      expect(Array.from(numpyArgsort(c.values))).toEqual(c.order);
    });
});

describe('isotonic calibration (sklearn IsotonicRegression, clip)', () => {
  const iso = fixtures.isotonic;
  const fit = fitIsotonic(iso.x!, iso.y!);
  it('keeps the same thresholds', () => {
    expect(fit.x).toEqual(iso.thresholds_x);
    for (const [i, v] of fit.y.entries()) close(v, iso.thresholds_y![i]!, `y threshold ${i}`);
  });
  it('predicts the same values, clipping outside the range', () => {
    for (const [i, v] of Array.from(predictIsotonic(fit, iso.query!)).entries())
      close(v, iso.predict![i]!, `predict ${i}`);
  });
});

describe('StratifiedShuffleSplit(10, 0.1, random_state=42)', () => {
  it('gives scikit-learn folds', () => {
    expect(stratifiedShuffleSplit(fixtures.sss.y, 10, 0.1, 42)).toEqual(fixtures.sss.splits);
  });
});

describe("NannyML's documented outputs", () => {
  it('_get_bin_index_edges(20, 4)', () => {
    expect(binIndexEdges(20, 4)).toEqual(fixtures.documented.bin_edges_20_4);
  });
  it('StandardDeviationThreshold on range(10)', () => {
    const [lo, up] = standardDeviationThresholds([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(lo).toBe(-4.116843969807043);
    expect(up).toBe(13.116843969807043);
    expect([lo, up]).toEqual(fixtures.documented.std_thresholds_range10);
  });
  it("needs_calibration's doctest fails under scikit-learn 1.2 as here (1-row test fold, 2 classes)", () => {
    const d = fixtures.documented.needs_calibration;
    expect(d.expected).toMatch(/test_size = 1/);
    expect(() => needsCalibration(d.targets, d.scores, 2, 3)).toThrow(/every class/);
  });
});

describe('CBPE against the reference script', () => {
  for (const c of fixtures.cases) {
    describe(c.name, () => {
      const ref = {
        scores: c.reference.scores,
        targets: c.reference.targets,
        predictions: predictionsOf(c.reference.scores),
      };
      const refChunker = (n: number) => {
        expect(n).toBe(c.reference.scores.length);
        return c.chunks_reference.map(([s, e]) => ({ key: `[${s}:${e}]`, start_index: s, end_index: e }));
      };
      const fit = fitCbpe(ref, { chunker: refChunker });
      it('makes the same calibration decision with the same ECEs', () => {
        expect(fit.calibrated).toBe(c.calibrated);
        close(fit.calibration.eceBefore!, c.ece_before, 'ece before');
        close(fit.calibration.eceAfter!, c.ece_after, 'ece after');
      });
      it('has the same sampling-error components and thresholds', () => {
        for (const [m, [std, fraction]] of Object.entries(c.components)) {
          close(fit.components[m as 'f1']!.std, std, `${m} std`);
          close(fit.components[m as 'f1']!.fraction, fraction, `${m} fraction`);
        }
        for (const [m, [lo, up]] of Object.entries(c.thresholds)) {
          close(fit.thresholds[m as 'f1']![0], lo, `${m} lower threshold`);
          close(fit.thresholds[m as 'f1']![1], up, `${m} upper threshold`);
        }
      });
      it('estimates the reference chunks', () => {
        expect(fit.referenceChunks.map((r) => [r.start, r.end, r.rows])).toEqual(
          c.reference_chunks.map((r) => [r.start, r.end, r.rows]),
        );
        for (const [i, r] of fit.referenceChunks.entries())
          compareChunk(
            r.metrics as Record<string, MetricResult>,
            c.reference_chunks[i]!.metrics,
            `ref chunk ${i}`,
          );
      });
      it('estimates the analysis chunks (and the estimate never reads targets)', () => {
        const ana = {
          scores: c.analysis.scores,
          predictions: predictionsOf(c.analysis.scores),
          targets: c.analysis.targets,
        };
        const chunker = () =>
          c.chunks_analysis.map(([s, e]) => ({ key: `[${s}:${e}]`, start_index: s, end_index: e }));
        const out = estimateCbpe(fit, ana, chunker);
        expect(out.map((r) => [r.start, r.end, r.rows])).toEqual(
          c.chunks.map((r) => [r.start, r.end, r.rows]),
        );
        for (const [i, r] of out.entries())
          compareChunk(r.metrics as Record<string, MetricResult>, c.chunks[i]!.metrics, `chunk ${i}`);
        const blind = estimateCbpe(fit, { scores: ana.scores, predictions: ana.predictions }, chunker);
        blind.forEach((r, i) => {
          for (const [m, v] of Object.entries(r.metrics)) {
            expect(v.estimate).toBe((out[i]!.metrics as Record<string, MetricResult>)[m]!.estimate);
            expect(v.realized).toBeNaN();
          }
        });
      });
    });
  }
});

describe('bad input', () => {
  const scores = Array.from({ length: 200 }, (_, i) => (i + 0.5) / 200);
  const targets = scores.map((s, i) => (i % 3 === 0 ? 1 - Math.round(s) : Math.round(s)));
  const predictions = predictionsOf(scores);
  it('refuses a reference with one class', () => {
    expect(() => fitCbpe({ scores, predictions, targets: scores.map(() => 1) })).toThrow(/one class/);
  });
  it('refuses scores outside [0, 1] naming the row', () => {
    expect(() => fitCbpe({ scores: [...scores.slice(0, 199), 1.2], predictions, targets })).toThrow(
      /row 200 is 1.2/,
    );
  });
  it('refuses a chunking that leaves no rows', () => {
    const fit = fitCbpe({ scores, predictions, targets }, { chunker: (n) => sizeChunks(n, 50) });
    expect(() => estimateCbpe(fit, { scores: [], predictions: [] }, (n) => sizeChunks(n, 50))).toThrow(
      CbpeInputError,
    );
  });
});

describe('labels arriving late', () => {
  it('computes realized values on the labelled rows only, estimates on all rows', () => {
    const c = fixtures.cases[0]!;
    const ref = {
      scores: c.reference.scores,
      targets: c.reference.targets,
      predictions: predictionsOf(c.reference.scores),
    };
    const fit = fitCbpe(ref, { chunker: (n) => sizeChunks(n, 500) });
    const scores = c.analysis.scores.slice(0, 1000);
    const targets = c.analysis.targets.slice(0, 1000);
    const partial = targets.map((t, i) => (i % 3 === 0 || i >= 500 ? Number.NaN : t));
    const out = estimateCbpe(fit, { scores, predictions: predictionsOf(scores), targets: partial }, (n) =>
      sizeChunks(n, 500),
    );
    const keep = Array.from({ length: 500 }, (_, i) => i).filter((i) => i % 3 !== 0);
    const subset = estimateCbpe(
      fit,
      {
        scores: keep.map((i) => scores[i]!),
        predictions: keep.map((i) => predictionsOf(scores)[i]!),
        targets: keep.map((i) => targets[i]!),
      },
      (n) => sizeChunks(n, n),
    );
    for (const m of ['roc_auc', 'f1', 'accuracy'] as const)
      expect(out[0]!.metrics[m]!.realized).toBe(subset[0]!.metrics[m]!.realized);
    expect(out[1]!.metrics.roc_auc!.realized).toBeNaN();
    expect(out[1]!.confusion_matrix.realized).toBeNull();
    const blind = estimateCbpe(fit, { scores, predictions: predictionsOf(scores) }, (n) =>
      sizeChunks(n, 500),
    );
    expect(out[0]!.metrics.roc_auc!.estimate).toBe(blind[0]!.metrics.roc_auc!.estimate);
  });

  it('still refuses a missing label in the reference', () => {
    const scores = [0.1, 0.9, 0.2, 0.8];
    expect(() =>
      fitCbpe({ scores, predictions: predictionsOf(scores), targets: [0, 1, Number.NaN, 1] }),
    ).toThrow(/row 3/);
  });
});
