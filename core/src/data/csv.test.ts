// CSV parsing: quoting, BOM, blank cells as missing, ragged rows and empty files.
import { describe, expect, it } from 'vitest';
import { CsvError, isMissingCell, parseCsv, toCsv } from './csv';

describe('parseCsv', () => {
  it('parses quoted fields, a BOM and trailing blank lines', () => {
    const t = parseCsv('\uFEFFa,b\n1,"x, y"\n2," "\n\n');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.rows).toEqual([
      ['1', 'x, y'],
      ['2', ' '],
    ]);
  });

  it('treats blank and whitespace-only cells as missing', () => {
    expect(isMissingCell('')).toBe(true);
    expect(isMissingCell(' \t')).toBe(true);
    expect(isMissingCell('0')).toBe(false);
  });

  it('rejects an empty file and a ragged row, naming the source and line', () => {
    expect(() => parseCsv('', 'a.csv')).toThrow(CsvError);
    expect(() => parseCsv('', 'a.csv')).toThrow(/a\.csv: the file is empty/);
    expect(() => parseCsv('a,b\n1,2\n3\n', 'b.csv')).toThrow(/b\.csv: line 3 has 1 fields/);
  });

  it('round-trips through toCsv', () => {
    const text = toCsv(
      ['a', 'b'],
      [
        ['x, "y"', 1],
        [null, 2.5],
      ],
    );
    expect(parseCsv(text).rows).toEqual([
      ['x, "y"', '1'],
      ['', '2.5'],
    ]);
  });
});
