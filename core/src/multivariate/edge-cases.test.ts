// Edge cases of the data-reconstruction method: NaN values, empty and single-row chunks, ties, values on a threshold,
// constant and empty columns, and the Jacobi eigensolver on matrices with known eigenpairs.

import { describe, expect, it } from 'vitest';
import {
  chunkStatistics,
  encodeColumn,
  fitReconstruction,
  isAlert,
  MultivariateInputError,
  type MultivariateTable,
  mostFrequent,
  reconstructionErrors,
  reconstructionThresholds,
  standardScale,
  symmetricEigen,
} from './index';

const continuous = (name: string, values: number[]) =>
  ({ name, kind: 'continuous', values: Float64Array.from(values) }) as const;
const categorical = (name: string, values: (string | null)[]) =>
  ({ name, kind: 'categorical', values }) as const;
const table = (...columns: MultivariateTable['columns']): MultivariateTable => ({
  rows: columns[0]!.values.length,
  columns,
});

describe('alerts and thresholds', () => {
  it('alerts on a value exactly on a threshold, and on NaN', () => {
    expect(isAlert(1, 0.5, 1.5)).toBe(false);
    expect(isAlert(1.5, 0.5, 1.5)).toBe(true);
    expect(isAlert(0.5, 0.5, 1.5)).toBe(true);
    expect(isAlert(Number.NaN, 0.5, 1.5)).toBe(true);
    expect(isAlert(-5, null, 1.5)).toBe(false);
    expect(isAlert(Number.NaN, null, null)).toBe(true);
  });

  it('drops a lower threshold of exactly 0 (NannyML compares with <=)', () => {
    // mean 1, std 1/3 → lower 0 exactly: dropped
    const [lower, upper] = reconstructionThresholds([2 / 3, 4 / 3]);
    expect(lower).toBeNull();
    expect(upper).toBeCloseTo(2, 14);
    expect(reconstructionThresholds([1, 2, 3])).toEqual([null, 4.449489742783178]);
    const [lo] = reconstructionThresholds([10, 11, 12]);
    expect(lo).toBeCloseTo(11 - 3 * Math.sqrt(2 / 3), 12);
  });

  it('ignores NaN chunk values as np.nanmean/np.nanstd do; all NaN gives NaN thresholds', () => {
    expect(reconstructionThresholds([10, Number.NaN, 12])).toEqual(reconstructionThresholds([10, 12]));
    const [lo, up] = reconstructionThresholds([Number.NaN]);
    expect(lo).toBeNaN();
    expect(up).toBeNaN();
  });
});

describe('chunk statistics', () => {
  it('is NaN for an empty chunk, and the sampling error is NaN for one row (std with ddof 1)', () => {
    const e = [1, 2, 4];
    expect(chunkStatistics(e, 1, 0).value).toBeNaN();
    const one = chunkStatistics(e, 2, 2);
    expect(one.value).toBe(4);
    expect(one.sampling_error).toBeNaN();
    const all = chunkStatistics(e, 0, 2);
    expect(all.value).toBeCloseTo(7 / 3, 15);
    // std ddof 1 of [1,2,4] = sqrt(7/3); over sqrt(3)
    expect(all.sampling_error).toBeCloseTo(Math.sqrt(7 / 3) / Math.sqrt(3), 15);
  });
});

describe('imputation and encoding', () => {
  it('breaks a tie for the most frequent category by the smaller text, as SimpleImputer', () => {
    expect(mostFrequent(['b', 'a', 'b', 'a', null, null, null])).toBe('a');
    expect(mostFrequent(['Z', 'a', 'a', 'Z'])).toBe('Z');
    expect(mostFrequent([null, null])).toBeUndefined();
  });

  it('counts imputed missing values with the mode and encodes unseen categories as 0', () => {
    const model = fitReconstruction(
      table(categorical('c', ['x', 'y', 'y', null, 'x', 'y']), continuous('v', [1, 2, 3, Number.NaN, 5, 7])),
    );
    const c = model.columns[0]!;
    expect(c.kind === 'categorical' && c.encoding).toEqual({ x: 2 / 6, y: 4 / 6 });
    expect(model.columns[1]!.kind === 'continuous' && model.columns[1]!.impute).toBe(18 / 5);
    // an unseen category → 0; a missing cell is imputed with the mode first, so it gets the mode's share
    expect(Array.from(encodeColumn(c, categorical('c', ['q', null, 'y', 'x'])))).toEqual([
      0,
      4 / 6,
      4 / 6,
      2 / 6,
    ]);
    expect(Array.from(encodeColumn(model.columns[1]!, continuous('v', [Number.NaN, 1])))).toEqual([
      18 / 5,
      1,
    ]);
  });

  it("gives a constant column scale 1, as StandardScaler's constant-feature check", () => {
    expect(standardScale([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])).toMatchObject({ scale: 1, constant: true });
    expect(standardScale([1, 3])).toEqual({ mean: 2, scale: 1, constant: false });
  });
});

describe('refusals', () => {
  it('refuses every column constant, no columns, one row, and a column without any value', () => {
    expect(() =>
      fitReconstruction(table(continuous('a', [1, 1, 1]), categorical('b', ['k', 'k', null]))),
    ).toThrow(/every column is constant/);
    expect(() => fitReconstruction({ rows: 3, columns: [] })).toThrow(/no usable column/);
    expect(() => fitReconstruction(table(continuous('a', [1])))).toThrow(/at least 2 rows/);
    expect(() =>
      fitReconstruction(table(continuous('a', [1, 2]), continuous('b', [Number.NaN, Number.NaN]))),
    ).toThrow(MultivariateInputError);
  });

  it('names a column missing from the data to score', () => {
    const model = fitReconstruction(table(continuous('a', [1, 2, 4]), continuous('b', [2, 1, 0])));
    expect(() => reconstructionErrors(model, table(continuous('a', [1])))).toThrow(/column "b" is missing/);
  });
});

describe('PCA', () => {
  it('gives zero error with every component kept and equal errors whatever the components’ signs', () => {
    const t = table(continuous('a', [1, 2, 3, 4, 5]), continuous('b', [2, 1, 4, 3, 6]));
    const model = fitReconstruction(t);
    expect(model.pca.components).toHaveLength(1);
    const flipped = {
      ...model,
      pca: { ...model.pca, components: model.pca.components.map((r) => r.map((x) => -x)) },
    };
    expect(Array.from(reconstructionErrors(flipped, t))).toEqual(Array.from(reconstructionErrors(model, t)));
    const all = fitReconstruction(t, { varianceRatio: 0.9999999 });
    expect(all.pca.components).toHaveLength(2);
    for (const e of reconstructionErrors(all, t)) expect(e).toBeLessThan(1e-12);
  });

  it('finds the eigenpairs of matrices with known ones (distinct, repeated, diagonal, 1×1)', () => {
    expect(Array.from(symmetricEigen([2, 1, 1, 2], 2).values)).toEqual([3, 1]);
    expect(Array.from(symmetricEigen([5], 1).values)).toEqual([5]);
    expect(Array.from(symmetricEigen([1, 0, 0, 0, 3, 0, 0, 0, 2], 3).values)).toEqual([3, 2, 1]);
    // J - I for the 4×4 all-ones J: eigenvalues 3, -1, -1, -1
    const m = [0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0];
    const { values, vectors } = symmetricEigen(m, 4);
    expect(values[0]).toBeCloseTo(3, 14);
    for (let i = 1; i < 4; i++) expect(values[i]).toBeCloseTo(-1, 14);
    // A v = λ v and V orthonormal
    for (let i = 0; i < 4; i++) {
      for (let r = 0; r < 4; r++) {
        let av = 0;
        for (let c = 0; c < 4; c++) av += m[r * 4 + c]! * vectors[i * 4 + c]!;
        expect(av).toBeCloseTo(values[i]! * vectors[i * 4 + r]!, 13);
      }
      for (let j = 0; j < 4; j++) {
        let dot = 0;
        for (let c = 0; c < 4; c++) dot += vectors[i * 4 + c]! * vectors[j * 4 + c]!;
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 13);
      }
    }
  });
});
