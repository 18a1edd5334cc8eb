// Schema inference from a labelled table: kinds, flags, unusable columns reported, one-line errors.
import { describe, expect, it } from 'vitest';
import { syntheticTable } from '../simulate/synthetic-table';
import { inferSchema } from './infer';
import { tableToRows } from './rows';

const table = {
  header: ['Customer ID', 'Home Airport', 'Age (years)', 'Zip', 'Flag', 'Empty', 'Outcome'],
  rows: [
    ['a1', 'AMS', '31', '1011', 'x', '', 'Yes'],
    ['a2', 'CDG', '', '1012', 'x', ' ', 'No'],
    ['a3', 'AMS', '45.5', '2000', 'x', '', 'No'],
    ['a4', 'JFK', '22', '1011', 'x', '', 'Yes'],
  ],
};

describe('inferSchema', () => {
  it('infers kinds, keeps names as written, and reports the columns it leaves out', () => {
    const { schema, excluded } = inferSchema(table, { target: 'Outcome' });
    expect(schema.target).toEqual({ column: 'Outcome', positive: 'Yes', negative: 'No' });
    expect(schema.features.map((f) => [f.name, f.kind])).toEqual([
      ['Home Airport', 'categorical'],
      ['Age (years)', 'numerical'],
      ['Zip', 'numerical'],
    ]);
    expect(schema.features[1]).toMatchObject({ range: { min: 22, max: 45.5 }, missing: { allowed: true } });
    expect(schema.features[0]).toMatchObject({ categories: ['AMS', 'CDG', 'JFK'], closed: false });
    expect(excluded).toEqual([
      { column: 'Customer ID', reason: 'an id (a distinct value in every row)' },
      { column: 'Flag', reason: 'constant (every value is "x")' },
      { column: 'Empty', reason: 'all blank' },
    ]);
  });

  it('lets flags override: --categorical, --drop, --id-column, --positive', () => {
    const { schema, excluded } = inferSchema(table, {
      target: 'Outcome',
      positive: 'No',
      categorical: ['Zip'],
      drop: ['Home Airport'],
      idColumn: 'Customer ID',
    });
    expect(schema.target.positive).toBe('No');
    expect(schema.features.map((f) => [f.name, f.kind])).toEqual([
      ['Age (years)', 'numerical'],
      ['Zip', 'categorical'],
    ]);
    expect(excluded.slice(0, 2).map((e) => e.column)).toEqual(['Customer ID', 'Home Airport']);
  });

  it('ends with one line naming the problem', () => {
    expect(() => inferSchema(table, { target: 'Churn' })).toThrow(/^no target column "Churn" \(columns: /);
    expect(() => inferSchema({ header: ['a', 'y'], rows: [] }, { target: 'y' })).toThrow(
      'the table has no data rows',
    );
    expect(() =>
      inferSchema(
        {
          header: ['a', 'y'],
          rows: [
            ['1', 'p'],
            ['2', 'q'],
            ['3', 'r'],
          ],
        },
        { target: 'y' },
      ),
    ).toThrow('target "y" has 3 distinct value(s) ("p", "q", "r"); a binary classifier needs exactly two');
    expect(() =>
      inferSchema(
        {
          header: ['a', 'y'],
          rows: [
            ['1', 'p'],
            ['2', 'q'],
          ],
        },
        { target: 'y' },
      ),
    ).toThrow('say which value of "y" is the positive class with --positive (values: "p", "q")');
    expect(() =>
      inferSchema(
        {
          header: ['k', 'y'],
          rows: [
            ['1', 'yes'],
            ['1', 'no'],
          ],
        },
        { target: 'y' },
      ),
    ).toThrow('no usable feature column (k: constant (every value is "1"))');
    expect(() => inferSchema(table, { target: 'Outcome', numerical: ['Home Airport'] })).toThrow(
      '--numerical column "Home Airport" holds "AMS", which is not a number',
    );
  });

  it('handles a generated table of another shape: hundreds of airports, 30+ numbers, ids left out', () => {
    const t = syntheticTable({ rows: 3000, seed: 3 });
    const { schema, excluded } = inferSchema(t, { target: t.target, positive: t.positive });
    expect(excluded.map((e) => e.column)).toEqual(['Transaction ID', 'Region', 'Notes']);
    const airports = schema.features.find((f) => f.name === 'Airport Code')!;
    expect(airports.kind === 'categorical' && airports.categories.length).toBeGreaterThan(200);
    expect(schema.features.filter((f) => f.kind === 'numerical')).toHaveLength(32);
    const rows = tableToRows(t, schema);
    expect(rows.issues).toEqual([]);
    expect(rows.records).toHaveLength(3000);
    const positives = t.rows.filter((r) => r[r.length - 1] === 'fraud').length;
    expect(rows.labels!.reduce((n, y) => n + y, 0)).toBe(positives);
  });
});
