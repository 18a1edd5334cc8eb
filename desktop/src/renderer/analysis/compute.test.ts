// The worker's computation: tables from any pair of sides, and the timeline buckets.

import { driftReport, driftTablesFromRecords, readDriftTablesFromCsv } from '@pmm/core/drift';
import { describe, expect, it } from 'vitest';
import {
  buildTables,
  computeTimeline,
  type FeatureKind,
  featuresOfCard,
  type LoadedSide,
  MIN_LABELLED_ROWS,
  readCsvSide,
  runCsvDrift,
  runDrift,
} from './compute';

const text = (rows: string[][]) => rows.map((r) => r.join(',')).join('\n');

describe('readCsvSide', () => {
  it("reads a CSV by the model's features (by name or source column), typed by the schema", async () => {
    const features: FeatureKind[] = [
      { name: 'contract', kind: 'categorical', column: 'Contract' },
      { name: 'tenure', kind: 'numerical' },
      { name: 'Total Charges', kind: 'numerical' },
      { name: 'Zip', kind: 'categorical' },
    ];
    const side = await readCsvSide(
      'a.csv',
      text([
        ['customerID', 'Contract', 'tenure', 'Total Charges', 'Zip'],
        ['a', 'One year', '5', ' ', '01234'],
        ['b', '', '7', '3.5', '99'],
      ]),
      features,
    );
    if (side.kind !== 'columns') throw new Error('expected columns');
    expect([...side.window.columns.keys()]).toEqual(['contract', 'tenure', 'Total Charges', 'Zip']);
    expect(side.window.records()).toEqual([
      { contract: 'One year', tenure: 5, 'Total Charges': null, Zip: '01234' },
      { contract: null, tenure: 7, 'Total Charges': 3.5, Zip: '99' },
    ]);
    await expect(readCsvSide('b.csv', text([['x'], ['1']]), features)).rejects.toThrow(
      "b.csv holds none of the model's feature columns (contract, tenure, Total Charges, Zip)",
    );
    await expect(readCsvSide('c.csv', text([['tenure'], ['1'], ['many']]), features)).rejects.toThrow(
      /c\.csv/,
    );
  });

  it('reads the model features from a card: its schema, or the older feature_schema', () => {
    expect(
      featuresOfCard({ schema: { features: [{ name: 'A b', kind: 'numerical', column: 'x' }] } }),
    ).toEqual([{ name: 'A b', kind: 'numerical', column: 'x' }]);
    expect(featuresOfCard({ feature_schema: [{ name: 'c', kind: 'categorical', categories: [] }] })).toEqual([
      { name: 'c', kind: 'categorical' },
    ]);
    expect(featuresOfCard(null)).toBeNull();
  });
});

describe('runCsvDrift', () => {
  it('compares two CSV files as pmm drift does (ids left out and named)', async () => {
    const rows = (shift: number) =>
      Array.from({ length: 1200 }, (_, i) => [`id-${i}`, String((i % 50) + shift), i % 3 ? 'a' : 'b']);
    const ref = text([['id', 'n', 'c'], ...rows(0)]);
    const cur = text([['id', 'n', 'c'], ...rows(5)]);
    const names = { reference: 'ref.csv', current: 'cur.csv' };
    const got = await runCsvDrift({ name: 'ref.csv', source: ref }, { name: 'cur.csv', source: cur });
    const tables = await readDriftTablesFromCsv(ref, cur, names);
    expect(got.report).toEqual(driftReport(tables.reference, tables.current));
    expect(got.ignored).toEqual(['id']);
    expect(got.report.columns.map((c) => c.column).sort()).toEqual(['c', 'n']);
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

  it('compares a CSV with records on the shared feature columns, typed by the schema', async () => {
    const features: FeatureKind[] = [
      { name: 'tenure', kind: 'numerical' },
      { name: 'contract', kind: 'categorical', column: 'Contract' },
      { name: 'senior_citizen', kind: 'numerical', column: 'SeniorCitizen' },
    ];
    const reference = await readCsvSide(
      'ref.csv',
      text([
        ['tenure', 'Contract', 'SeniorCitizen'],
        ['1', 'One year', '0'],
        ['2', 'Two year', '1'],
      ]),
      features,
    );
    const current: LoadedSide = {
      kind: 'records',
      name: 'now',
      records: [{ tenure: 3, contract: 'One year', senior_citizen: 0 }],
    };
    const t = buildTables(reference, current, [], features);
    expect([...t.reference.columns.keys()]).toEqual(['tenure', 'contract', 'senior_citizen']);
    expect(t.reference.columns.get('senior_citizen')?.type).toBe('numerical');
  });

  it('compares records of any model on its features, a name with a space included, as core does', () => {
    const features: FeatureKind[] = [
      { name: 'Amount USD', kind: 'numerical' },
      { name: 'Card Type', kind: 'categorical' },
    ];
    const records = (shift: number) =>
      Array.from({ length: 300 }, (_, i) => ({
        'Amount USD': (i % 40) + shift,
        'Card Type': i % 4 ? 'Visa' : 'Amex',
        extra: 'x',
      }));
    const reference: LoadedSide = { kind: 'records', name: 'ref', records: records(0) };
    const current: LoadedSide = { kind: 'records', name: 'cur', records: records(10) };
    const { report } = runDrift(reference, current, {}, [], features);
    const tables = driftTablesFromRecords(records(0), records(10), {
      columns: ['Amount USD', 'Card Type'],
      types: { 'Amount USD': 'numerical', 'Card Type': 'categorical' },
      names: { reference: 'ref', current: 'cur' },
    });
    expect(report).toEqual(driftReport(tables.reference, tables.current));
    expect(report.columns.find((c) => c.column === 'Amount USD')?.drifted).toBe(true);
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
