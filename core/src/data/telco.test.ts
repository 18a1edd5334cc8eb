// The Telco data set: its identity, its shape after validation, and row-level error reporting.
import { readFileSync } from 'node:fs';
import { requireParts, telcoCsvPath } from '@pmm/test-support';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv';
import { sha256Hex } from './sha256';
import { TELCO_BYTES, TELCO_SHA256, toFeatureRows } from './telco';

const SHARED = telcoCsvPath();
const present = requireParts('the Telco data tests', { 'Telco data': SHARED });

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vector', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe.skipIf(!present)('the Telco data set', () => {
  const bytes = present ? new Uint8Array(readFileSync(SHARED)) : new Uint8Array();

  it('is the published file', async () => {
    expect(bytes.length).toBe(TELCO_BYTES);
    expect(await sha256Hex(bytes)).toBe(TELCO_SHA256);
  });

  it('parses into 7,043 valid rows, 1,869 churned, 11 missing total_charges at tenure 0', () => {
    const rows = toFeatureRows(parseCsv(new TextDecoder().decode(bytes)));
    expect(rows.issues).toEqual([]);
    expect(rows.records).toHaveLength(7043);
    expect(rows.labels!.reduce((n, y) => n + y, 0)).toBe(1869);
    const blank = rows.records.filter((r) => r.total_charges === null);
    expect(blank).toHaveLength(11);
    expect(blank.every((r) => r.tenure === 0)).toBe(true);
    expect(rows.ids![0]).toBe('7590-VHVEG');
  });
});

describe('toFeatureRows', () => {
  const header =
    'gender,senior_citizen,partner,dependents,tenure,phone_service,multiple_lines,internet_service,online_security,online_backup,device_protection,tech_support,streaming_tv,streaming_movies,contract,paperless_billing,payment_method,monthly_charges,total_charges';
  const good =
    'Female,0,Yes,No,1,No,No phone service,DSL,No,Yes,No,No,No,No,Month-to-month,Yes,Electronic check,29.85,29.85';

  it('accepts snake_case columns and reports bad rows by number and field', () => {
    const bad = good.replace('Female', 'Robot').replace(',1,No,', ',x,No,');
    const rows = toFeatureRows(parseCsv(`${header}\n${good}\n${bad}\n`));
    expect(rows.records).toHaveLength(1);
    expect(rows.rowNumbers).toEqual([1]);
    expect(rows.labels).toBeNull();
    expect(rows.issues.map((i) => [i.row, i.field])).toEqual([
      [2, 'gender'],
      [2, 'tenure'],
    ]);
  });

  it('names missing feature columns', () => {
    expect(() => toFeatureRows(parseCsv('gender,tenure\nMale,1\n'), 'x.csv')).toThrow(
      /x\.csv: missing feature column\(s\): senior_citizen/,
    );
  });
});
