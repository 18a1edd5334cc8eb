// The worker's computation: tables from any pair of sides, and the timeline buckets.

import { parseCsv } from '@pmm/core/data';
import { describe, expect, it } from 'vitest';
import {
  buildTables,
  computeTimeline,
  csvToFeatureRecords,
  idLikeColumns,
  type LoadedSide,
  MIN_LABELLED_ROWS,
} from './compute';

const csv = (rows: string[][]) => parseCsv(rows.map((r) => r.join(',')).join('\n'));

describe('csvToFeatureRecords', () => {
  it('maps Telco CSV names to feature names and parses numbers', () => {
    const records = csvToFeatureRecords(
      csv([
        ['customerID', 'Contract', 'tenure', 'TotalCharges'],
        ['a', 'One year', '5', ' '],
      ]),
    );
    expect(records).toEqual([{ contract: 'One year', tenure: 5, total_charges: null }]);
    expect(csvToFeatureRecords(csv([['x'], ['1']]))).toBeNull();
  });
});

describe('idLikeColumns', () => {
  it('finds text columns with a value per row', () => {
    const rows = [
      ['id', 'n', 'c'],
      ...Array.from({ length: 30 }, (_, i) => [`id-${i}`, String(i), i % 2 ? 'a' : 'b']),
    ];
    expect(idLikeColumns(csv(rows))).toEqual(['id']);
  });
});

describe('buildTables', () => {
  it('compares a profile with records on the profile columns', () => {
    const reference: LoadedSide = {
      kind: 'profile',
      name: 'profile',
      profile: { rows: 4, columns: { tenure: { type: 'numerical', values: [1, 2, 3, 4], missing: 0 } } },
    };
    const current: LoadedSide = {
      kind: 'records',
      name: 'now',
      records: [{ tenure: 10, contract: 'x' }, { tenure: 12 }],
    };
    const t = buildTables(reference, current);
    expect([...t.current.columns.keys()]).toEqual(['tenure']);
    expect(t.current.rows).toBe(2);
  });

  it('compares a CSV with records on the shared feature columns, typed by the schema', () => {
    const reference: LoadedSide = {
      kind: 'csv',
      name: 'ref.csv',
      csv: csv([
        ['tenure', 'Contract', 'SeniorCitizen'],
        ['1', 'One year', '0'],
        ['2', 'Two year', '1'],
      ]),
    };
    const current: LoadedSide = {
      kind: 'records',
      name: 'now',
      records: [{ tenure: 3, contract: 'One year', senior_citizen: 0 }],
    };
    const t = buildTables(reference, current);
    expect([...t.reference.columns.keys()].sort()).toEqual(['contract', 'senior_citizen', 'tenure']);
    expect(t.reference.columns.get('senior_citizen')?.type).toBe('numerical');
  });
});

describe('computeTimeline', () => {
  it('buckets predictions and scores drift and performance per bucket', () => {
    const reference: LoadedSide = {
      kind: 'records',
      name: 'ref',
      records: Array.from({ length: 200 }, (_, i) => ({ tenure: i % 50 })),
    };
    const predictions = Array.from({ length: 400 }, (_, i) => ({
      ts: i * 1000,
      probability: i < 200 ? 0.2 : 0.8,
      features: { tenure: i < 200 ? i % 50 : 40 + (i % 10) },
      outcome: i % 2,
    }));
    const t = computeTimeline(reference, predictions, 2);
    expect(t.counts).toEqual([200, 200]);
    expect(t.x).toEqual([0, 200]);
    expect(t.prediction.mean[0]).toBeCloseTo(0.2);
    expect(t.prediction.positiveRate[1]).toBe(1);
    // 200 reference values: Evidently's rule picks KS, whose p-value is tiny where tenure shifted.
    expect(t.drift['tenure']!.method).toBe('ks');
    const [before, after] = t.drift['tenure']!.scores;
    expect(before!).toBeGreaterThan(0.05);
    expect(after!).toBeLessThan(1e-6);
    expect(t.driftShare).toEqual([0, 1]);
    expect(t.performance.labelled).toEqual([200, 200]);
    expect(t.performance.accuracy[0]).toBe(0.5);
    expect(t.performance.observedRate[1]).toBe(0.5);
  });

  it('leaves performance blank in a bucket with fewer labelled rows than the minimum, counting them', () => {
    const reference: LoadedSide = { kind: 'records', name: 'ref', records: [{ tenure: 1 }] };
    // Bucket 0: 10 labelled rows, perfectly ranked (ROC AUC would be 1.0); bucket 1: 40 labelled rows.
    const predictions = Array.from({ length: 100 }, (_, i) => {
      const labelled = i < 50 ? i < 10 : i < 90;
      return {
        ts: i * 1000,
        probability: (i % 10) / 10,
        features: { tenure: 1 },
        ...(labelled ? { outcome: i % 10 >= 5 ? 1 : 0 } : {}),
      };
    });
    const t = computeTimeline(reference, predictions, 2);
    expect(MIN_LABELLED_ROWS).toBe(30);
    expect(t.performance.labelled).toEqual([10, 40]);
    expect(t.performance.rocAuc[0]).toBeNull();
    expect(t.performance.accuracy[0]).toBeNull();
    expect(t.performance.observedRate[0]).toBeNull();
    // 40 rows, probabilities 0.0…0.9 four times, outcome 1 exactly where p ≥ 0.5: perfectly separated.
    expect(t.performance.rocAuc[1]).toBe(1);
    expect(t.performance.observedRate[1]).toBe(0.5);
  });
});
