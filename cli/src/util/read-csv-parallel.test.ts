// Reading a CSV in a worker thread gives the columns the in-thread reader gives, and its errors by name.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCsvColumns } from '@pmm/core/table';
import { afterAll, describe, expect, it } from 'vitest';
import { fileChunks } from './files';
import { readCsvInWorker } from './read-csv-parallel';

const dir = mkdtempSync(path.join(tmpdir(), 'pmm-read-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readCsvInWorker', () => {
  it('returns the same typed columns as reading in this thread', async () => {
    const lines = ['id,x,g,late'];
    for (let i = 0; i < 3000; i++)
      lines.push(`c${i},${(i * 0.37) % 11},${'abc'[i % 3]},${i === 2500 ? 'text' : i}`);
    const file = path.join(dir, 'a.csv');
    writeFileSync(file, `${lines.join('\r\n')}\r\n`);
    const options = { name: 'a.csv', distinctIds: 1000 };
    const inWorker = await readCsvInWorker(file, options);
    const here = await readCsvColumns(fileChunks(file), options);
    expect(inWorker).toEqual(here);
    expect(inWorker.columns.get('x')).toMatchObject({ type: 'numerical' });
    expect(inWorker.columns.get('late')).toMatchObject({
      type: 'categorical',
      firstText: { row: 2501, text: 'text' },
    });
    expect(inWorker.columns.get('id')).toMatchObject({ type: 'id' });
  });

  it('rejects with the reader error, name and message kept', async () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'a,b\n1,2\n3\n');
    await expect(readCsvInWorker(file, { name: 'bad.csv' })).rejects.toMatchObject({
      name: 'CsvError',
      message: 'bad.csv: line 3 has 1 fields, the header has 2',
    });
  });
});
