// The one zod schema for prediction requests, used by the edge, the sync server, the desktop and the CLI.
import { z } from 'zod';
import { type CategoricalFeature, FEATURES, type NumericalFeature } from './features';

const byName = new Map(FEATURES.map((f) => [f.name, f]));

function categorical(name: string) {
  const f = byName.get(name) as CategoricalFeature;
  const [first, ...rest] = f.categories;
  return z.enum([first!, ...rest]).describe(f.description);
}

function numerical(name: string) {
  const f = byName.get(name) as NumericalFeature;
  const n = z.number().min(f.min).max(f.max);
  return (f.integer ? n.int() : n).describe(f.description);
}

/** The field schemas, spelled out so that `Features` has one typed key per feature. */
const featureShape = {
  gender: categorical('gender'),
  senior_citizen: numerical('senior_citizen'),
  partner: categorical('partner'),
  dependents: categorical('dependents'),
  tenure: numerical('tenure'),
  phone_service: categorical('phone_service'),
  multiple_lines: categorical('multiple_lines'),
  internet_service: categorical('internet_service'),
  online_security: categorical('online_security'),
  online_backup: categorical('online_backup'),
  device_protection: categorical('device_protection'),
  tech_support: categorical('tech_support'),
  streaming_tv: categorical('streaming_tv'),
  streaming_movies: categorical('streaming_movies'),
  contract: categorical('contract'),
  paperless_billing: categorical('paperless_billing'),
  payment_method: categorical('payment_method'),
  monthly_charges: numerical('monthly_charges'),
  total_charges: numerical('total_charges').nullable(),
};

/** The 19 features of one customer: every feature required, no extra keys. */
export const featuresSchema = z
  .strictObject(featureShape)
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
