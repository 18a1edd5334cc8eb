// Drift tables from CSV bytes: the same reports as the row-wise path on the Telco data, id columns left out.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDriftTablesFromCsv } from './csv-tables';
import { driftReport } from './report';
import { driftTablesFromCsvText } from './table';

const SHARED = new URL('../../../../shared/data/telco-customer-churn.csv', import.meta.url);
const present = existsSync(SHARED);

function telcoHalves(): { a: string; b: string } {
  const [header, ...rows] = readFileSync(SHARED, 'utf8').trimEnd().split(/\r?\n/);
  // Every third row in one half: different enough that several columns get real scores.
  const a = rows.filter((_, i) => i % 3 === 0);
  const b = rows.filter((_, i) => i % 3 !== 0);
  return { a: [header, ...a].join('\n'), b: [header, ...b].join('\r\n') };
}

describe('readDriftTablesFromCsv', () => {
  it('gives the Telco report bit for bit as the row-wise path, leaving customerID out as an id', async () => {
    if (!present) {
      if (process.env.CI === 'true') expect.fail(`the Telco data is missing: ${SHARED.pathname}`);
      console.warn(`skipping: ${SHARED.pathname} is absent`);
      return;
    }
    const { a, b } = telcoHalves();
    const names = { reference: 'a.csv', current: 'b.csv' };
    const before = driftTablesFromCsvText(a, b, names, { ignore: ['customerID'] });
    const after = await readDriftTablesFromCsv(a, b, names);
    const old = driftReport(before.reference, before.current, { correction: 'bh' });
    const now = driftReport(after.reference, after.current, { correction: 'bh' });
    expect(now.excluded_columns).toEqual([
      {
        column: 'customerID',
        reason: 'every value is distinct (2348 in the reference, 4695 in the current): an id, not a feature',
      },
    ]);
    const { excluded_columns: _, ...rest } = now;
    expect(rest).toEqual(old);
    expect(old.columns.some((c) => c.score !== null && c.score > 0 && c.score < 1)).toBe(true);
  });

  it('leaves out a column given as an id, and keeps an all-distinct column that is asked for', async () => {
    const lines = ['key,x'];
    for (let i = 0; i < 1200; i++) lines.push(`k${i},${i % 7}`);
    const text = lines.join('\n');
    const names = { reference: 'r', current: 'c' };
    const given = await readDriftTablesFromCsv('id,x\n1,2\n', 'id,x\n3,4\n', names, { idColumns: ['id'] });
    expect([...given.reference.columns.keys()]).toEqual(['x']);
    expect(given.reference.excluded).toEqual([{ column: 'id', reason: 'given as an id column' }]);
    const auto = await readDriftTablesFromCsv(text, text, names);
    expect([...auto.reference.columns.keys()]).toEqual(['x']);
    const asked = await readDriftTablesFromCsv(text, text, names, { columns: ['key', 'x'] });
    expect(asked.reference.columns.get('key')).toMatchObject({ type: 'categorical' });
    // Distinct in one file only: compared after all (the id side is read again with its values).
    const repeats = `${text}\nk1,3\n`;
    const one = await readDriftTablesFromCsv(text, repeats, names);
    const key = one.reference.columns.get('key');
    expect(key?.type === 'categorical' && key.codes.length).toBe(1200);
  });

  it('keeps codes one byte wide while they fit, and widens them when the shared dictionary outgrows that', async () => {
    const side = (prefix: string, n: number) =>
      `g\n${Array.from({ length: 3 * n }, (_, i) => `${prefix}${i % n}`).join('\n')}\n`;
    const names = { reference: 'r', current: 'c' };
    const small = await readDriftTablesFromCsv(side('a', 100), side('a', 100), names);
    const a = small.reference.columns.get('g');
    expect(a?.type === 'categorical' && a.codes).toBeInstanceOf(Int8Array);
    const wide = await readDriftTablesFromCsv(side('a', 100), side('b', 100), names);
    const r = wide.reference.columns.get('g');
    const c = wide.current.columns.get('g');
    if (r?.type !== 'categorical' || c?.type !== 'categorical') throw new Error('not categorical');
    expect(r.codes).toBeInstanceOf(Int16Array);
    expect(r.categories).toHaveLength(200);
    expect(Array.from(c.codes.slice(0, 3), (k) => c.categories[k])).toEqual(['b0', 'b1', 'b2']);
    expect(Array.from(r.codes.slice(0, 3), (k) => r.categories[k])).toEqual(['a0', 'a1', 'a2']);
    const many = await readDriftTablesFromCsv(side('x', 40_000), side('x', 40_000), names);
    const m = many.reference.columns.get('g');
    expect(m?.type === 'categorical' && m.codes).toBeInstanceOf(Int32Array);
  });
});
