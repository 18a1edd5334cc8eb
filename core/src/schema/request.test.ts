// The shared request schema: every field named in errors, batch limits.
import { describe, expect, it } from 'vitest';
import { FEATURES } from './features';
import {
  EXAMPLE_FEATURES,
  featuresSchema,
  predictBatchRequestSchema,
  predictRequestSchema,
  toFieldIssues,
} from './request';

function issuesOf(value: unknown) {
  const result = predictRequestSchema.safeParse(value);
  if (result.success) return [];
  return toFieldIssues(result.error);
}

describe('the prediction request schema', () => {
  it('has the 19 features with unique names and CSV columns, each in the request schema', () => {
    expect(FEATURES).toHaveLength(19);
    expect(Object.keys(featuresSchema.shape)).toEqual(FEATURES.map((f) => f.name));
    for (const f of FEATURES) {
      if (f.kind === 'numerical')
        expect(
          featuresSchema.shape[f.name as keyof typeof featuresSchema.shape].safeParse(null).success,
        ).toBe(f.nullable);
    }
    expect(new Set(FEATURES.map((f) => f.name)).size).toBe(19);
    expect(new Set(FEATURES.map((f) => f.csvColumn)).size).toBe(19);
  });

  it('accepts the README example and a null total_charges', () => {
    expect(issuesOf({ features: EXAMPLE_FEATURES })).toEqual([]);
    expect(issuesOf({ features: { ...EXAMPLE_FEATURES, total_charges: null } })).toEqual([]);
  });

  it('names the field of a missing, extra, mistyped or out-of-schema value', () => {
    const { tenure: _dropped, ...withoutTenure } = EXAMPLE_FEATURES;
    expect(issuesOf({ features: withoutTenure }).map((i) => i.path)).toEqual(['features.tenure']);
    expect(issuesOf({ features: { ...EXAMPLE_FEATURES, colour: 'red' } })).toEqual([
      { path: 'features.colour', message: 'unknown field' },
    ]);
    expect(issuesOf({ features: { ...EXAMPLE_FEATURES, tenure: '12' } }).map((i) => i.path)).toEqual([
      'features.tenure',
    ]);
    expect(issuesOf({ features: { ...EXAMPLE_FEATURES, contract: 'Weekly' } }).map((i) => i.path)).toEqual([
      'features.contract',
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
