// The run-time request validator: built from any schema, open vs closed categories, out-of-domain counts.
import { describe, expect, it } from 'vitest';
import { parseModelSchema } from './model-schema';
import { buildRequestValidator, requestValidatorFor } from './validator';

const schema = parseModelSchema({
  task: 'binary_classification',
  target: { column: 'Is Fraud', positive: 'fraud', negative: 'ok' },
  features: [
    { name: 'Airport Code', kind: 'categorical', categories: ['AMS', 'CDG'], missing: { allowed: false } },
    {
      name: 'Card Type',
      kind: 'categorical',
      categories: ['Amex', 'Visa'],
      closed: true,
      missing: { allowed: true },
    },
    { name: 'Amount USD', kind: 'numerical', range: { min: 1, max: 500 }, missing: { allowed: false } },
    { name: 'Größe ✓', kind: 'numerical', range: null, missing: { allowed: true } },
  ],
});
const row = { 'Airport Code': 'AMS', 'Card Type': 'Visa', 'Amount USD': 20, 'Größe ✓': 1 };
const v = buildRequestValidator(schema);

describe('buildRequestValidator', () => {
  it('accepts a row named exactly as the schema (spaces, UTF-8) and counts nothing for in-domain values', () => {
    expect(v.validateRequest({ features: row })).toEqual({
      ok: true,
      value: row,
      outOfDomain: { unseen_category: {}, out_of_range: {} },
    });
  });

  it('accepts an unseen category of an open feature and a number outside the training range, counting them', () => {
    const rows = [
      { ...row, 'Airport Code': 'JFK' },
      { ...row, 'Airport Code': 'LHR', 'Amount USD': 900 },
      { ...row, 'Amount USD': 0.5 },
      row,
    ];
    const result = v.validateBatch({ rows });
    expect(result.ok && result.outOfDomain).toEqual({
      unseen_category: { 'Airport Code': 2 },
      out_of_range: { 'Amount USD': 2 },
    });
    expect(v.outOfDomainOf(rows[1]!)).toEqual([
      { field: 'Airport Code', reason: 'unseen_category' },
      { field: 'Amount USD', reason: 'out_of_range' },
    ]);
  });

  it('refuses an unseen value of a closed feature, naming the field and the allowed values', () => {
    const result = v.validateRequest({ features: { ...row, 'Card Type': 'Diners' } });
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'features.Card Type', message: '"Diners" is not allowed; allowed values: "Amex", "Visa"' },
      ],
    });
  });

  it('says "missing" for an absent field, names extra keys, and refuses null where missing is not allowed', () => {
    const { 'Airport Code': _a, ...noAirport } = row;
    const { 'Amount USD': _b, ...noAmount } = row;
    const issues = (value: unknown) => {
      const r = v.validateFeatures(value);
      return r.ok ? [] : r.issues;
    };
    expect(issues(noAirport)).toEqual([{ path: 'Airport Code', message: 'missing' }]);
    expect(issues(noAmount)).toEqual([{ path: 'Amount USD', message: 'missing' }]);
    expect(issues({ ...row, extra: 1 })).toEqual([{ path: 'extra', message: 'unknown field' }]);
    expect(issues({ ...row, 'Airport Code': null })).toEqual([
      { path: 'Airport Code', message: 'missing value (null) is not allowed' },
    ]);
    expect(issues({ ...row, 'Card Type': null, 'Größe ✓': null })).toEqual([]);
    expect(issues({ ...row, 'Amount USD': '20' }).map((i) => i.path)).toEqual(['Amount USD']);
  });

  it('is cached per model version', () => {
    expect(requestValidatorFor('m-1', schema)).toBe(requestValidatorFor('m-1', schema));
    expect(requestValidatorFor('m-2', schema)).not.toBe(requestValidatorFor('m-1', schema));
  });
});
