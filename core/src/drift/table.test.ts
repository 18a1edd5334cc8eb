// Tests for building drift tables from CSV, records and a reference profile: typing, missing cells, errors.
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../data/csv';
import type { ReferenceProfile } from './profile';
import {
  type CategoricalColumn,
  DriftDataError,
  driftTablesFromCsv,
  driftTablesFromCsvText,
  driftTablesFromProfile,
  driftTablesFromRecords,
  type NumericalColumn,
} from './table';

const names = { reference: 'ref.csv', current: 'cur.csv' };

function tables(ref: string, cur: string, options = {}) {
  return driftTablesFromCsv(parseCsv(ref, 'ref.csv'), parseCsv(cur, 'cur.csv'), names, options);
}

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DriftDataError);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('driftTablesFromCsv', () => {
  it('infers numerical only when every non-missing value on both sides is a number', () => {
    const t = tables('a,b,d\n1,x,1\n2.5,y,q\n', 'a,b,d\n-3e2,z,2\n ,x,abc\n');
    const a = t.reference.columns.get('a') as NumericalColumn;
    expect(a.type).toBe('numerical');
    expect(Array.from(a.values)).toEqual([1, 2.5]);
    expect(Array.from((t.current.columns.get('a') as NumericalColumn).values)).toEqual([-300, Number.NaN]);
    expect(t.reference.columns.get('b')!.type).toBe('categorical');
    // d mixes numbers and text on both sides: categorical.
    expect((t.reference.columns.get('d') as CategoricalColumn).categories).toEqual(['1', '2', 'abc', 'q']);
  });

  it('refuses a column of numbers on one side and text on the other, unless its type is given', () => {
    const ref = 'c,k\n1,a\n ,b\n';
    const cur = 'c,k\n2,a\nabc,b\n';
    expect(message(() => tables(ref, cur))).toBe(
      'column "c" is numbers in ref.csv but text in cur.csv (row 2: "abc"); pass --categorical c to compare it as text',
    );
    expect(message(() => tables(cur, ref))).toMatch(
      /^column "c" is numbers in cur\.csv but text in ref\.csv/,
    );
    const c = tables(ref, cur, { types: { c: 'categorical' } }).reference.columns.get(
      'c',
    ) as CategoricalColumn;
    expect(c.categories).toEqual(['1', '2', 'abc']);
    expect(Array.from(c.codes)).toEqual([0, -1]);
    // A side with no values at all says nothing about the kind.
    expect(tables('c,k\n ,a\n', cur).reference.columns.get('c')!.type).toBe('categorical');
  });

  it('shares one sorted dictionary between both sides and trims category text', () => {
    const t = tables('g,n\n b ,1\nc,2\n', 'g,n\na,1\nb,2\n\t,3\n');
    const ref = t.reference.columns.get('g') as CategoricalColumn;
    const cur = t.current.columns.get('g') as CategoricalColumn;
    expect(ref.categories).toEqual(['a', 'b', 'c']);
    expect(cur.categories).toBe(ref.categories);
    expect(Array.from(ref.codes)).toEqual([1, 2]);
    expect(Array.from(cur.codes)).toEqual([0, 1, -1]);
  });

  it('forces categorical on request, keeping values as text', () => {
    const t = tables('n\n1\n2\n', 'n\n2\n3\n', { types: { n: 'categorical' } });
    expect((t.reference.columns.get('n') as CategoricalColumn).categories).toEqual(['1', '2', '3']);
  });

  it('forced numerical with text names the file, column and row', () => {
    expect(message(() => tables('n\n1\n2\n', 'n\n2\nabc\n', { types: { n: 'numerical' } }))).toBe(
      'cur.csv: column "n" is numerical but row 2 holds "abc", not a number',
    );
  });

  it('names the column and file when a column is on one side only', () => {
    expect(message(() => tables('a,b\n1,2\n', 'a\n1\n'))).toBe('column "b" is in ref.csv but not in cur.csv');
    expect(message(() => tables('a\n1\n', 'a,z\n1,2\n'))).toBe('column "z" is in cur.csv but not in ref.csv');
    expect(message(() => tables('a\n1\n', 'a\n1\n', { columns: ['q'] }))).toBe(
      'column "q" is in neither ref.csv nor cur.csv',
    );
  });

  it('selects and ignores columns', () => {
    const t = tables('id,a,b\n1,2,3\n', 'id,a,b\n4,5,6\n', { ignore: ['id'] });
    expect([...t.reference.columns.keys()]).toEqual(['a', 'b']);
    const s = tables('id,a,b\n1,2,3\n', 'id,a,b\n4,5,6\n', { columns: ['b'] });
    expect([...s.current.columns.keys()]).toEqual(['b']);
    // An ignored column may be on one side only.
    const u = tables('id,a\n1,2\n', 'a\n5\n', { ignore: ['id'] });
    expect([...u.current.columns.keys()]).toEqual(['a']);
  });

  it('rejects a file without data rows and duplicate headers', () => {
    expect(message(() => tables('a\n', 'a\n1\n'))).toBe('ref.csv: no data rows');
    expect(message(() => tables('a,a\n1,2\n', 'a\n1\n'))).toBe('ref.csv: duplicate column "a"');
  });
});

describe('driftTablesFromCsvText', () => {
  it('parses both texts, naming the empty one', () => {
    const t = driftTablesFromCsvText('a\n1\n', 'a\n2\n', names);
    expect(Array.from((t.current.columns.get('a') as NumericalColumn).values)).toEqual([2]);
    expect(() => driftTablesFromCsvText('a\n1\n', '', names)).toThrow(
      'cur.csv: the file is empty (no header row)',
    );
  });
});

describe('driftTablesFromRecords', () => {
  it('treats null, absent keys and blank strings as missing', () => {
    const t = driftTablesFromRecords(
      [
        { x: 1, g: 'a' },
        { x: null, g: ' ' },
      ],
      [{ g: 'b' }, { x: 3, g: null }],
    );
    expect(Array.from((t.reference.columns.get('x') as NumericalColumn).values)).toEqual([1, Number.NaN]);
    expect(Array.from((t.current.columns.get('x') as NumericalColumn).values)).toEqual([Number.NaN, 3]);
    expect(Array.from((t.current.columns.get('g') as CategoricalColumn).codes)).toEqual([1, -1]);
  });
});

describe('driftTablesFromProfile', () => {
  const profile: ReferenceProfile = {
    rows: 6,
    columns: {
      tenure: { type: 'numerical', values: [1, 2, 3, 4, 5], missing: 1 },
      contract: {
        type: 'categorical',
        counts: { 'Month-to-month': 3, 'One year': 2, 'Two year': 0 },
        missing: 1,
      },
    },
  };

  it('expands the profile and types logged records by it', () => {
    const t = driftTablesFromProfile(profile, [
      { tenure: 7, contract: 'One year' },
      { tenure: null, contract: 'Weekly' },
    ]);
    const ref = t.reference.columns.get('tenure') as NumericalColumn;
    expect(Array.from(ref.values)).toEqual([1, 2, 3, 4, 5, Number.NaN]);
    const refC = t.reference.columns.get('contract') as CategoricalColumn;
    const curC = t.current.columns.get('contract') as CategoricalColumn;
    expect(refC.categories).toEqual(['Month-to-month', 'One year', 'Two year', 'Weekly']);
    expect(Array.from(refC.codes)).toEqual([0, 0, 0, 1, 1, -1]);
    expect(Array.from(curC.codes)).toEqual([1, 3]);
    expect(t.reference.rows).toBe(6);
    expect(t.current.rows).toBe(2);
  });

  it('rejects text in a numerical profile column, naming it', () => {
    expect(message(() => driftTablesFromProfile(profile, [{ tenure: 'long', contract: 'One year' }]))).toBe(
      'current: column "tenure" is numerical but row 1 holds "long", not a number',
    );
  });
});
