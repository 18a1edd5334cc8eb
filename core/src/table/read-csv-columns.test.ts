// The streaming CSV reader against papaparse + the row-wise drift tables on random files, chunked every which way.
import { describe, expect, it } from 'vitest';
import { driftTablesFromCsvColumns } from '../drift/csv-tables';
import { driftTablesFromCsvText } from '../drift/table';
import { parseNumberBytes } from './parse-number-bytes';
import { type CsvSource, readCsvColumns } from './read-csv-columns';

const utf8 = new TextEncoder();

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A source that hands the bytes over in chunks of `size` (re-openable). */
function chunked(text: string, size: number): CsvSource {
  const bytes = utf8.encode(text);
  return () => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
    return out;
  };
}

const NUMBERS = [
  '0',
  '-0',
  '1',
  '+2',
  '3.5',
  '.25',
  '7.',
  '1e3',
  '-2.5E-3',
  '12345678901234567890',
  '0.1',
  '1e-400',
  '007',
  '9007199254740993',
  '3.14159265358979323846',
  '1e400',
];
const TEXT = [
  'a',
  'b',
  'héllo',
  '日本',
  'x y',
  'NaN',
  'Infinity',
  '1,5',
  'say "hi"',
  'two\nlines',
  '0x10',
  '1e',
  '-',
  '.',
  '😀',
];

function cell(u: () => number, kind: number): string {
  const r = u();
  if (r < 0.08) return u() < 0.5 ? '' : ' \t';
  if (kind === 0) return NUMBERS[Math.floor(u() * (NUMBERS.length - 1))]!;
  if (kind === 2 && r < 0.9) return NUMBERS[Math.floor(u() * NUMBERS.length)]!;
  return TEXT[Math.floor(u() * TEXT.length)]!;
}

function quote(text: string, u: () => number): string {
  const needs = /[",\n\r]/.test(text) || /^\s|\s$/.test(text);
  if (!needs && u() > 0.1) return u() < 0.1 ? ` ${text} ` : text;
  return `"${text.replaceAll('"', '""')}"`;
}

function randomCsv(seed: number, rows: number): string {
  const u = rng(seed);
  const kinds = [0, 1, 2, 0];
  const eol = u() < 0.5 ? '\n' : '\r\n';
  const lines = ['num,text,mixed,"q ""n"""'];
  for (let i = 0; i < rows; i++) {
    if (u() < 0.03) lines.push(u() < 0.5 ? '' : ' , ,');
    lines.push(kinds.map((k) => quote(cell(u, k), u)).join(','));
  }
  return lines.join(eol) + (u() < 0.5 ? eol : '');
}

describe('parseNumberBytes', () => {
  it('gives exactly what Number gives for number text, and NaN for the rest', () => {
    const u = rng(7);
    const cases = [
      ...NUMBERS,
      ...TEXT,
      '',
      '+',
      '1.2.3',
      '1e+',
      '  1',
      '1 ',
      '+.5',
      '-.5e2',
      '00.000',
      '1_000',
    ];
    for (let i = 0; i < 20000; i++) {
      const digits = Math.floor(u() * 20) + 1;
      let t = u() < 0.3 ? '-' : '';
      for (let d = 0; d < digits; d++) t += String(Math.floor(u() * 10));
      if (u() < 0.5) t = `${t.slice(0, Math.floor(u() * t.length) + 1)}.${t.slice(1)}`;
      if (u() < 0.3) t += `e${Math.floor(u() * 700) - 350}`;
      cases.push(t);
    }
    cases.push(String(Math.PI), String(Number.MAX_VALUE), String(Number.MIN_VALUE), '1.7976931348623159e308');
    for (const text of cases) {
      const expected =
        /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) && Number.isFinite(Number(text))
          ? Number(text)
          : Number.NaN;
      const bytes = utf8.encode(text);
      expect(Object.is(parseNumberBytes(bytes, 0, bytes.length), expected), text).toBe(true);
    }
  });
});

describe('readCsvColumns', () => {
  it('gives the same drift tables as papaparse and the row-wise builder, whatever the chunk size', async () => {
    let compared = 0;
    for (let seed = 1; seed <= 16; seed++) {
      const ref = randomCsv(seed, 60);
      const cur = randomCsv(seed + 100, 40);
      const names = { reference: 'r.csv', current: 'c.csv' };
      const options = seed % 2 === 0 ? { types: { mixed: 'categorical' as const } } : {};
      let expected: unknown;
      let expectedError: string | undefined;
      try {
        expected = driftTablesFromCsvText(ref, cur, names, options);
      } catch (error) {
        expectedError = (error as Error).message;
      }
      for (const size of [1, 2, 3, 5, 64, 1 << 20]) {
        let actual: unknown;
        let actualError: string | undefined;
        try {
          const [r, c] = await Promise.all([
            readCsvColumns(chunked(ref, size), { name: names.reference, distinctIds: 1000, ...options }),
            readCsvColumns(chunked(cur, size), { name: names.current, distinctIds: 1000, ...options }),
          ]);
          actual = driftTablesFromCsvColumns(r, c, options);
        } catch (error) {
          actualError = (error as Error).message;
        }
        expect(actualError, `seed ${seed}, chunks of ${size}`).toBe(expectedError);
        if (expectedError === undefined) {
          const strip = (t: unknown) =>
            JSON.parse(
              JSON.stringify(t, (k, v) =>
                k === 'excluded'
                  ? undefined
                  : v instanceof Map
                    ? [...v]
                    : ArrayBuffer.isView(v)
                      ? Array.from(v as Float64Array, (x) =>
                          Object.is(x, -0) ? '-0' : Number.isNaN(x) ? 'NaN' : x,
                        )
                      : v,
              ),
            );
          expect(strip(actual), `seed ${seed}, chunks of ${size}`).toEqual(strip(expected));
          compared++;
        }
      }
    }
    // Most seeds give tables (a numerical, a categorical and a mixed column), a few the mismatch error.
    expect(compared).toBeGreaterThan(6 * 10);
  });

  it('reads a column that turns to text after numbers as categorical, keeping the number text as written', async () => {
    const t = await readCsvColumns('a,b\n1.50,x\n,y\n2,z\nnone,w\n', { name: 'f.csv' });
    const a = t.columns.get('a')!;
    expect(a.type).toBe('categorical');
    if (a.type !== 'categorical') return;
    expect(Array.from(a.codes, (c) => (c < 0 ? null : a.categories[c]))).toEqual(['1.50', null, '2', 'none']);
    expect(a.firstText).toEqual({ row: 4, text: 'none' });
  });

  it('returns an all-distinct text column as an id when asked, and keeps it otherwise', async () => {
    const lines = ['id,g'];
    for (let i = 0; i < 1500; i++) lines.push(`c-${i},${i % 3}`);
    const text = lines.join('\n');
    expect((await readCsvColumns(text, { distinctIds: 1000 })).columns.get('id')).toEqual({
      type: 'id',
      present: 1500,
      firstText: { row: 1, text: 'c-0' },
    });
    expect((await readCsvColumns(text)).columns.get('id')!.type).toBe('categorical');
    const repeated = `${text}\nc-7,1\n`;
    const r = (await readCsvColumns(repeated, { distinctIds: 1000 })).columns.get('id')!;
    expect(r.type === 'categorical' && r.distinct).toBe(false);
  });

  it('names the file and line of a malformed record, and says what is wrong', async () => {
    const message = (text: string | Uint8Array, options = {}) =>
      readCsvColumns(text, { name: 'bad.csv', ...options }).then(
        () => 'no error',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    expect(await message('a,b\n1,2\n3\n')).toBe('CsvError: bad.csv: line 3 has 1 fields, the header has 2');
    expect(await message('a,b\n"x\ny",2\n3,4,5\n')).toBe(
      'CsvError: bad.csv: line 4 has 3 fields, the header has 2',
    );
    expect(await message('a,b\n1,2\n"open,3\n4,5\n')).toBe(
      'CsvError: bad.csv: line 3: a quoted field is not closed (unbalanced quote)',
    );
    expect(await message('a,b\n"x"y,2\n')).toBe(
      'CsvError: bad.csv: line 2: unexpected text after a closing quote (unbalanced quote)',
    );
    expect(await message('')).toBe('CsvError: bad.csv: the file is empty (no header row)');
    expect(await message('\n \n')).toBe('CsvError: bad.csv: the file is empty (no header row)');
    expect(await message(new Uint8Array([0x61, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a]))).toBe(
      'CsvError: bad.csv: the file is not UTF-8 text (column "a" holds other bytes)',
    );
    expect(await message('a,a\n1,2\n')).toBe('CsvError: bad.csv: duplicate column "a"');
    expect(await message('a\n1\nx\n', { types: { a: 'numerical' } })).toBe(
      'CsvError: bad.csv: column "a" is numerical but row 2 holds "x", not a number',
    );
    const headerOnly = await readCsvColumns('a,b\r\n', { name: 'h.csv' });
    expect(headerOnly.rows).toBe(0);
  });

  it('keeps multi-byte characters split across chunks, CRLF and embedded newlines', async () => {
    const text = '\uFEFFname,v\r\n"日本\r\nline",1\r\n😀,2\r\n';
    for (const size of [1, 2, 3, 4, 7]) {
      const t = await readCsvColumns(chunked(text, size));
      const c = t.columns.get('name')!;
      expect(t.header).toEqual(['name', 'v']);
      expect(c.type === 'categorical' && c.categories).toEqual(['日本\r\nline', '😀']);
    }
  });
});

describe('readCsvTable', () => {
  it('gives the rows papaparse gives, cells trimmed, on random files', async () => {
    const { readCsvTable } = await import('./read-csv-table');
    const { parseCsv } = await import('../data/csv');
    for (let seed = 1; seed <= 8; seed++) {
      const text = randomCsv(seed, 50);
      const expected = parseCsv(text, 'f.csv');
      const actual = await readCsvTable(chunked(text, 3), { name: 'f.csv' });
      expect(actual.header).toEqual(expected.header);
      expect(actual.rows).toEqual(expected.rows.map((r) => r.map((c) => c.trim())));
    }
  });
});
