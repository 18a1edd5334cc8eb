// NannyML's chunkers over row ranges: sizes, leftovers, counts and calendar periods.

import { describe, expect, it } from 'vitest';
import periods from './fixtures/periods.json';
import { countChunks, defaultChunks, parsePeriod, parseTimestamp, periodChunks, sizeChunks } from './index';

describe('sizeChunks', () => {
  it("keeps a last incomplete chunk by default (NannyML incomplete='keep')", () => {
    expect(sizeChunks(7, 3).map((c) => c.key)).toEqual(['[0:2]', '[3:5]', '[6:6]']);
  });
  it('drops or appends leftovers on request', () => {
    expect(sizeChunks(7, 3, 'drop').map((c) => c.key)).toEqual(['[0:2]', '[3:5]']);
    expect(sizeChunks(7, 3, 'append').map((c) => [c.start_index, c.end_index])).toEqual([
      [0, 2],
      [3, 6],
    ]);
  });
  it('gives one short chunk when rows < size and none for no rows', () => {
    expect(sizeChunks(2, 5).map((c) => c.key)).toEqual(['[0:1]']);
    expect(sizeChunks(0, 5)).toEqual([]);
  });
  it('refuses a non-positive size', () => {
    expect(() => sizeChunks(10, 0)).toThrow(/positive integer/);
  });
});

describe('countChunks', () => {
  it('uses floor(rows / count) rows per chunk, so 25 rows in 10 gives 13 chunks as NannyML', () => {
    const c = countChunks(25, 10);
    expect(c.length).toBe(13);
    expect(c.at(-1)).toMatchObject({ start_index: 24, end_index: 24 });
  });
  it('refuses more chunks than rows', () => {
    expect(() => countChunks(3, 5)).toThrow(/cannot split 3 rows into 5/);
  });
  it('defaults to 10 chunks', () => {
    expect(defaultChunks(1000).length).toBe(10);
  });
});

describe('periodChunks', () => {
  const ts = ['2024-01-02 10:00', '2024-01-01T23:59:59Z', '2024-01-08', '2024-01-02T00:30:00+02:00'].map(
    parseTimestamp,
  );
  it('sorts by time and groups by day (naive = UTC, offsets applied)', () => {
    const { order, chunks } = periodChunks(ts, parsePeriod('1d'));
    expect(Array.from(order)).toEqual([3, 1, 0, 2]);
    expect(chunks.map((c) => [c.key, c.start_index, c.end_index])).toEqual([
      ['2024-01-01', 0, 1],
      ['2024-01-02', 2, 2],
      ['2024-01-08', 3, 3],
    ]);
    expect(chunks[0]!.start_date).toBe('2024-01-01T00:00:00.000Z');
    expect(chunks[0]!.end_date).toBe('2024-01-01T23:59:59.999Z');
  });
  it('groups weeks Monday to Sunday as pandas W, and months', () => {
    expect(periodChunks(ts, parsePeriod('W')).chunks.map((c) => c.key)).toEqual([
      '2024-01-01/2024-01-07',
      '2024-01-08/2024-01-14',
    ]);
    expect(periodChunks(ts, parsePeriod('M')).chunks.map((c) => c.key)).toEqual(['2024-01']);
  });
  it('refuses unknown periods and unparsable timestamps', () => {
    expect(() => parsePeriod('fortnight')).toThrow(/unknown chunk period/);
    expect(parseTimestamp('yesterday')).toBeNaN();
    expect(() => periodChunks([0, Number.NaN], 'D')).toThrow(/row 2/);
  });
});

describe('periodChunks against pandas to_period (fixtures/generate.py)', () => {
  const data = periods as {
    timestamps: string[];
    periods: Record<string, { key: string; rows: number; start: string; end: string }[]>;
  };
  const ts = data.timestamps.map(parseTimestamp);
  for (const [alias, expected] of Object.entries(data.periods)) {
    it(`groups ${data.timestamps.length} unsorted timestamps by ${alias} as pandas`, () => {
      const { chunks } = periodChunks(ts, parsePeriod(alias));
      expect(chunks.map((c) => [c.key, c.end_index - c.start_index + 1])).toEqual(
        expected.map((e) => [e.key, e.rows]),
      );
      expect(chunks.map((c) => c.start_date)).toEqual(expected.map((e) => `${e.start}.000Z`));
      expect(chunks.map((c) => c.end_date)).toEqual(expected.map((e) => `${e.end.slice(0, 23)}Z`));
    });
  }
});
