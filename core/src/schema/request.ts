// The one zod schema for prediction requests, used by the edge, the sync server, the desktop and the CLI.
import { z } from 'zod';
import { FEATURES, type Feature } from './features';

function featureSchema(feature: Feature): z.ZodType {
  if (feature.kind === 'categorical') {
    const [first, ...rest] = feature.categories;
    return z.enum([first!, ...rest]).describe(feature.description);
  }
  let n = z.number().min(feature.min).max(feature.max);
  if (feature.integer) n = n.int();
  const described = n.describe(feature.description);
  return feature.nullable ? described.nullable() : described;
}

/** The 19 features of one customer: every feature required, no extra keys. */
export const featuresSchema = z
  .strictObject(Object.fromEntries(FEATURES.map((f) => [f.name, featureSchema(f)])))
  .describe('The 19 Telco churn features of one customer');

export type Features = z.infer<typeof featuresSchema>;

/** `POST /api/v1/predict` body. */
export const predictRequestSchema = z.strictObject({ features: featuresSchema });

/** `POST /api/v1/predict/batch` body: up to 1,000 rows, answered in order. */
export const MAX_BATCH_ROWS = 1000;
export const predictBatchRequestSchema = z.strictObject({
  rows: z.array(featuresSchema).min(1).max(MAX_BATCH_ROWS),
});

/** A documented example request (the README's, verbatim). */
export const EXAMPLE_FEATURES = {
  gender: 'Female',
  senior_citizen: 0,
  partner: 'Yes',
  dependents: 'No',
  tenure: 12,
  phone_service: 'Yes',
  multiple_lines: 'No',
  internet_service: 'Fiber optic',
  online_security: 'No',
  online_backup: 'Yes',
  device_protection: 'No',
  tech_support: 'No',
  streaming_tv: 'Yes',
  streaming_movies: 'No',
  contract: 'Month-to-month',
  paperless_billing: 'Yes',
  payment_method: 'Electronic check',
  monthly_charges: 79.85,
  total_charges: 958.2,
} satisfies Features;

/** One validation problem: the path to the field and what is wrong with it. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Flattens zod issues into `{ path, message }` with dotted paths (`features.tenure`). */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...base, key].join('.'), message: 'unknown field' }));
    }
    return [{ path: base.join('.') || '(root)', message: issue.message }];
  });
}
