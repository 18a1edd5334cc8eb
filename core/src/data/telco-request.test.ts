// The demo's request schema, built from TELCO_SCHEMA: every field named in errors, closed sets, batch limits.
import { describe, expect, it } from 'vitest';
import { toFieldIssues } from '../schema/validator';
import {
  EXAMPLE_FEATURES,
  featuresSchema,
  predictBatchRequestSchema,
  predictRequestSchema,
  TELCO_VALIDATOR,
} from './telco-request';
import { FEATURES, TELCO_SCHEMA } from './telco-schema';

function issuesOf(value: unknown) {
  const result = predictRequestSchema.safeParse(value);
  if (result.success) return [];
  return toFieldIssues(result.error);
}

describe('the demo prediction request schema', () => {
  it('has the 19 features with unique names and CSV columns, null allowed only for total_charges', () => {
    expect(TELCO_SCHEMA.features).toHaveLength(19);
    expect(new Set(FEATURES.map((f) => f.csvColumn)).size).toBe(19);
    expect(Object.keys(TELCO_VALIDATOR.features.shape)).toEqual(FEATURES.map((f) => f.name));
    for (const f of FEATURES) {
      const withNull = { ...EXAMPLE_FEATURES, [f.name]: null };
      expect(featuresSchema.safeParse(withNull).success).toBe(f.name === 'total_charges');
    }
  });

  it('accepts the README example and a null total_charges', () => {
    expect(issuesOf({ features: EXAMPLE_FEATURES })).toEqual([]);
    expect(issuesOf({ features: { ...EXAMPLE_FEATURES, total_charges: null } })).toEqual([]);
  });

  it('names the field of a missing, extra, mistyped or out-of-schema value', () => {
    const { tenure: _dropped, ...withoutTenure } = EXAMPLE_FEATURES;
    expect(issuesOf({ features: withoutTenure })).toEqual([{ path: 'features.tenure', message: 'missing' }]);
    const { contract: _c, ...withoutContract } = EXAMPLE_FEATURES;
    expect(issuesOf({ features: withoutContract })).toEqual([
      { path: 'features.contract', message: 'missing' },
    ]);
    expect(issuesOf({ features: { ...EXAMPLE_FEATURES, colour: 'red' } })).toEqual([
      { path: 'features.colour', message: 'unknown field' },
    ]);
    expect(issuesOf({ features: { ...EXAMPLE_FEATURES, tenure: '12' } }).map((i) => i.path)).toEqual([
      'features.tenure',
    ]);
    expect(issuesOf({ features: { ...EXAMPLE_FEATURES, contract: 'Weekly' } })).toEqual([
      {
        path: 'features.contract',
        message: '"Weekly" is not allowed; allowed values: "Month-to-month", "One year", "Two year"',
      },
    ]);
    expect(issuesOf({ features: { ...EXAMPLE_FEATURES, tenure: 1.5 } }).map((i) => i.path)).toEqual([
      'features.tenure',
    ]);
    expect(issuesOf({ features: { ...EXAMPLE_FEATURES, monthly_charges: -1 } }).map((i) => i.path)).toEqual([
      'features.monthly_charges',
    ]);
    expect(issuesOf({ features: { ...EXAMPLE_FEATURES, tenure: null } }).map((i) => i.path)).toEqual([
      'features.tenure',
    ]);
  });

  it('limits a batch to 1,000 rows', () => {
    expect(predictBatchRequestSchema.safeParse({ rows: Array(1000).fill(EXAMPLE_FEATURES) }).success).toBe(
      true,
    );
    expect(predictBatchRequestSchema.safeParse({ rows: Array(1001).fill(EXAMPLE_FEATURES) }).success).toBe(
      false,
    );
    expect(predictBatchRequestSchema.safeParse({ rows: [] }).success).toBe(false);
  });

  it('validates a bare features object too', () => {
    expect(featuresSchema.safeParse(EXAMPLE_FEATURES).success).toBe(true);
  });
});
