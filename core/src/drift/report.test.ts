// Tests for the drift report: Evidently's default methods, options, untested columns, BH, aggregates, profiles.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../model/rng';
import { DRIFT_METHODS } from './methods/index';
import type { ReferenceProfile } from './profile';
import { type ColumnDriftResult, type DriftReport, driftReport } from './report';
import { type DriftOptions, defaultMethodName } from './report-options';
import { type DriftTable, driftTablesFromProfile, driftTablesFromRecords } from './table';
import type { DriftMethod } from './types';

/** mulberry32 (core's seeded generator). */
const rng = mulberry32;

type Row = Record<string, string | number | null>;

/** n rows: x uniform(shift, 1 + shift), g in a/b/c, flag in yes/no. */
function rows(n: number, shift: number, seed: number): Row[] {
  const u = rng(seed);
  return Array.from({ length: n }, () => ({
    x: u() + shift,
    g: ['a', 'b', 'c'][Math.floor(u() * 3)]!,
    flag: u() < 0.5 + shift ? 'yes' : 'no',
  }));
}

function run(ref: Row[], cur: Row[], options: DriftOptions = {}, methods?: Record<string, DriftMethod>) {
  const t = driftTablesFromRecords(ref, cur);
  return driftReport(t.reference, t.current, options, methods);
}

const col = (report: DriftReport, name: string): ColumnDriftResult =>
  report.columns.find((c) => c.column === name)!;

describe('default method per column (Evidently rule)', () => {
  it('follows get_stattest on the reference size and distinct values', () => {
    expect(defaultMethodName('numerical', 1000, 6)).toBe('ks');
    expect(defaultMethodName('numerical', 1000, 5)).toBe('chisquare');
    expect(defaultMethodName('categorical', 1000, 3)).toBe('chisquare');
    expect(defaultMethodName('categorical', 10, 2)).toBe('z');
    expect(defaultMethodName('numerical', 1001, 6)).toBe('wasserstein');
    expect(defaultMethodName('numerical', 1001, 5)).toBe('jensenshannon');
    expect(defaultMethodName('categorical', 5000, 2)).toBe('jensenshannon');
  });

  it('applies it in the report: ks / chisquare / z below 1000 rows, wasserstein / jensenshannon above', () => {
    const small = run(rows(300, 0, 1), rows(300, 0, 2));
    expect(small.columns.map((c) => [c.column, c.method, c.n_values])).toEqual([
      ['x', 'ks', 600],
      ['g', 'chisquare', 3],
      ['flag', 'z', 2],
    ]);
    const large = run(rows(1500, 0, 1), rows(200, 0, 2));
    expect(large.columns.map((c) => c.method)).toEqual(['wasserstein', 'jensenshannon', 'jensenshannon']);
    expect(large.columns.map((c) => c.threshold)).toEqual([0.1, 0.1, 0.1]);
  });

  it('finds a shifted column drifted and an unchanged one not', () => {
    const report = run(rows(500, 0, 1), rows(500, 0.3, 2));
    expect(col(report, 'x').drifted).toBe(true);
    expect(col(report, 'x').score).toBeLessThan(1e-6);
    expect(col(report, 'g').drifted).toBe(false);
    expect(report.number_of_tested_columns).toBe(3);
    expect(report.drift_share).toBeCloseTo(report.number_of_drifted_columns / 3, 12);
    expect(report.dataset_drift).toBe(report.drift_share >= 0.5);
  });
});

describe('options', () => {
  it('applies a global method and per-column overrides, and records them', () => {
    const options: DriftOptions = {
      method: 'psi',
      threshold: 0.2,
      columns: { x: { method: 'wasserstein', threshold: 0.05 } },
      driftShare: 0.3,
    };
    const report = run(rows(200, 0, 1), rows(200, 0.1, 2), options);
    expect(col(report, 'x')).toMatchObject({
      method: 'wasserstein',
      threshold: 0.05,
      method_kind: 'distance',
    });
    expect(col(report, 'g')).toMatchObject({ method: 'psi', threshold: 0.2 });
    expect(report.options).toEqual({
      method: 'psi',
      threshold: 0.2,
      drift_share: 0.3,
      correction: 'none',
      columns: { x: { method: 'wasserstein', threshold: 0.05 } },
    });
  });

  it('rejects an unknown method, a method that cannot apply, thresholds out of range', () => {
    const r = rows(50, 0, 1);
    expect(() => run(r, r, { method: 'magic' })).toThrow(
      /unknown drift method "magic" \(known: ks, chisquare/,
    );
    expect(() => run(r, r, { method: 'ks' })).toThrow('method "ks" cannot apply to categorical column "g"');
    expect(() => run(r, r, { columns: { g: { method: 'wasserstein' } } })).toThrow(/column "g"/);
    expect(() => run(r, r, { threshold: 1.5 })).toThrow(/threshold 1.5 for column "x" is out of range/);
    expect(() => run(r, r, { method: 'ks', threshold: 0 })).toThrow(/threshold 0 is out of range/);
    expect(() => run(r, r, { driftShare: 0 })).toThrow(/drift share 0 is out of range/);
    expect(() => run(r, r, { columns: { nope: { threshold: 0.1 } } })).toThrow(/column "nope"/);
    expect(() => run(r, r, { columns: { x: { type: 'categorical' } } })).toThrow(
      'column "x" is numerical in the data, not categorical as the options say',
    );
  });

  it('with correction bh adjusts the p-values of tests only and judges on the adjusted value', () => {
    const plain = run(rows(400, 0, 1), rows(400, 0.05, 2), { columns: { g: { method: 'psi' } } });
    const bh = run(rows(400, 0, 1), rows(400, 0.05, 2), {
      correction: 'bh',
      columns: { g: { method: 'psi' } },
    });
    expect(bh.options.correction).toBe('bh');
    expect(col(plain, 'x').score_adjusted).toBeUndefined();
    expect(col(bh, 'g').score_adjusted).toBeUndefined();
    const px = col(bh, 'x').score!;
    const pf = col(bh, 'flag').score!;
    // Two tests: the smaller p doubles (capped by the larger), the larger stays.
    const [lo, hi] = px < pf ? ['x', 'flag'] : ['flag', 'x'];
    expect(col(bh, hi).score_adjusted).toBeCloseTo(col(bh, hi).score!, 12);
    expect(col(bh, lo).score_adjusted).toBeCloseTo(Math.min(2 * col(bh, lo).score!, col(bh, hi).score!), 12);
    // Evidently's rules written out here (not the engine's own): a p-value drifts below 0.05, PSI at 0.1 or above.
    for (const c of bh.columns) {
      const judged = c.score_adjusted ?? c.score!;
      expect(c.drifted).toBe(c.method === 'psi' ? judged >= 0.1 : judged < 0.05);
    }
  });
});

describe('missing values and untested columns', () => {
  it('leaves missing cells out of the test and counts them over both tables', () => {
    const ref: Row[] = rows(100, 0, 1).map((r, i) => ({ ...r, x: i < 10 ? null : (r.x ?? null) }));
    const cur: Row[] = rows(100, 0, 2).map((r, i) => ({ ...r, x: i < 30 ? ' ' : (r.x ?? null) }));
    const report = run(ref, cur);
    const x = col(report, 'x');
    expect(x.missing_share).toBeCloseTo(40 / 200, 12);
    expect(x.reference).toEqual({ count: 90, missing: 10 });
    expect(x.current).toEqual({ count: 70, missing: 30 });
    expect(x.tested).toBe(true);
  });

  it('reports a column with an empty side as not tested, outside the drift share', () => {
    const ref = rows(100, 0, 1);
    const cur = rows(100, 0.4, 2).map((r) => ({ ...r, g: null }));
    const report = run(ref, cur);
    const g = col(report, 'g');
    expect(g).toMatchObject({ tested: false, drifted: false, score: null, missing_share: 0.5 });
    expect(g.not_tested_reason).toMatch(/current/);
    expect(report.number_of_tested_columns).toBe(2);
    expect(report.drift_share).toBe(report.number_of_drifted_columns / 2);
  });
});

describe('aggregates for rendering', () => {
  it('keeps shares per side on shared bins, summing to 1', () => {
    const report = run(rows(2000, 0, 1), rows(2000, 0.2, 2));
    const x = col(report, 'x').distribution;
    expect(x.kind).toBe('histogram');
    if (x.kind !== 'histogram') return;
    // Sturges on 4000 values: ceil(log2(4000) + 1) = 13 bins over [min, max] of both sides.
    expect(x.reference).toHaveLength(13);
    expect(x.edges).toHaveLength(14);
    const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
    expect(sum(x.reference)).toBeCloseTo(1, 12);
    expect(sum(x.current)).toBeCloseTo(1, 12);
    expect(x.reference[12]).toBe(0); // nothing above 1 in the reference
    const g = col(report, 'g').distribution;
    expect(g).toMatchObject({ kind: 'values', labels: ['a', 'b', 'c'], other: 0 });
  });

  it('folds rare categories so a high-cardinality column stays small', () => {
    const ref = Array.from({ length: 3000 }, (_, i) => ({ id: `id-${i}`, k: i % 2 ? 'p' : 'q' }));
    const cur = Array.from({ length: 3000 }, (_, i) => ({ id: `id-${i + 3000}`, k: 'p' }));
    const report = run(ref, cur);
    const id = col(report, 'id');
    expect(id.n_values).toBe(6000);
    expect(id.drifted).toBe(true);
    if (id.distribution.kind !== 'values') throw new Error('values expected');
    expect(id.distribution.labels).toHaveLength(20);
    expect(id.distribution.labels[19]).toBe('other (5981 categories)');
    expect(id.distribution.other).toBe(5981);
    expect(JSON.stringify(report).length).toBeLessThan(10_000);
  });

  it('remaps codes when the two tables carry different dictionaries', () => {
    const shared = driftReport(...pair(['a', 'b', 'c'], ['a', 'b', 'c']));
    const own = driftReport(...pair(['a', 'b', 'c'], ['c', 'a', 'zz', 'b']));
    expect(own.columns[0]!.score).toBeCloseTo(shared.columns[0]!.score!, 12);
    expect(own.columns[0]!.distribution).toEqual(shared.columns[0]!.distribution);

    function pair(refCats: string[], curCats: string[]): [DriftTable, DriftTable] {
      const refCodes = Int32Array.from([0, 0, 1, 2, 2, 2, -1], (c) => c);
      const labels = ['a', 'a', 'b', 'c', 'c', 'c', null, 'b', 'b', 'a'];
      const curCodes = Int32Array.from(labels.slice(3), (l) => (l === null ? -1 : curCats.indexOf(l)));
      return [
        {
          name: 'r',
          rows: 7,
          columns: new Map([['k', { type: 'categorical', codes: refCodes, categories: refCats }]]),
        },
        {
          name: 'c',
          rows: 7,
          columns: new Map([['k', { type: 'categorical', codes: curCodes, categories: curCats }]]),
        },
      ];
    }
  });

  it('is deterministic', () => {
    const a = run(rows(800, 0, 1), rows(800, 0.1, 2));
    const b = run(rows(800, 0, 1), rows(800, 0.1, 2));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('against a reference profile', () => {
  it('runs logged records against a model profile', () => {
    const values = Array.from({ length: 1200 }, (_, i) => (i % 100) / 10).sort((a, b) => a - b);
    const profile: ReferenceProfile = {
      rows: 1200,
      columns: {
        tenure: { type: 'numerical', values, missing: 0 },
        contract: { type: 'categorical', counts: { monthly: 800, yearly: 400 }, missing: 0 },
      },
    };
    const logged = Array.from({ length: 300 }, (_, i) => ({
      tenure: 5 + (i % 50) / 10,
      contract: 'monthly',
    }));
    const t = driftTablesFromProfile(profile, logged);
    const report = driftReport(t.reference, t.current);
    expect(report.reference_rows).toBe(1200);
    expect(col(report, 'tenure').method).toBe('wasserstein');
    expect(col(report, 'contract')).toMatchObject({ method: 'jensenshannon', drifted: true });
  });
});

describe('custom methods', () => {
  it('accepts a registry with an added method', () => {
    const always: DriftMethod = {
      name: 'always',
      kind: 'distance',
      kinds: ['numerical', 'categorical'],
      defaultThreshold: 0.5,
      score: () => 1,
      drifted: (s, t) => s >= t,
    };
    const report = run(rows(20, 0, 1), rows(20, 0, 2), { method: 'always' }, { ...DRIFT_METHODS, always });
    expect(report.number_of_drifted_columns).toBe(3);
    expect(report.dataset_drift).toBe(true);
  });
});
