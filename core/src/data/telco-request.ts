// The Telco demo's request schemas and the README's example request, built from TELCO_SCHEMA like any model's.
import type { z } from 'zod';
import { buildRequestValidator, type FeatureRecord } from '../schema/validator';
import { TELCO_SCHEMA } from './telco-schema';

/** The demo's validator: closed category sets, so an unseen contract is a 422 naming the allowed values. */
export const TELCO_VALIDATOR = buildRequestValidator(TELCO_SCHEMA);

/** One row of features (any model's): strings for categorical inputs, numbers or null for numerical ones. */
export type Features = FeatureRecord;

/** The 19 Telco features of one customer: every feature required, no extra keys. */
export const featuresSchema = TELCO_VALIDATOR.features.describe(
  'The 19 Telco churn features of one customer',
) as unknown as z.ZodType<Features>;

/** `POST /api/v1/predict` body of the demo model. */
export const predictRequestSchema = TELCO_VALIDATOR.request as unknown as z.ZodType<{ features: Features }>;

/** `POST /api/v1/predict/batch` body of the demo model: up to 1,000 rows, answered in order. */
export const predictBatchRequestSchema = TELCO_VALIDATOR.batch as unknown as z.ZodType<{ rows: Features[] }>;

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
