// The Telco churn demo's schema: its 19 inputs (closed category sets, validity bounds), target and column names.
// The only place outside the simulator that names a Telco feature; everything else reads a model's schema.
import { type ModelSchema, parseModelSchema } from '../schema/model-schema';
import type { FeatureRecord } from '../schema/validator';

/** A categorical feature of the demo, in the shape older code reads (`FEATURES`). */
export interface CategoricalFeature {
  readonly name: string;
  readonly kind: 'categorical';
  /** Column name in the IBM Telco CSV. */
  readonly csvColumn: string;
  readonly categories: readonly string[];
  readonly description: string;
  /** How a missing value is handled by the model (the request schema itself requires a value). */
  readonly missing: string;
}

/** A numerical feature: a finite number inside a generous validity range (not the training range). */
export interface NumericalFeature {
  readonly name: string;
  readonly kind: 'numerical';
  readonly csvColumn: string;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  /** Whether a request may send `null` (the CSV has blanks for it). */
  readonly nullable: boolean;
  readonly description: string;
  readonly missing: string;
}

export type Feature = CategoricalFeature | NumericalFeature;

const YES_NO = ['No', 'Yes'] as const;
const NO_INTERNET = ['No', 'No internet service', 'Yes'] as const;

const UNKNOWN_CATEGORY =
  'required in requests; in the model an unseen or missing category encodes as all zeros (no one-hot bit set)';
const IMPUTED_MEDIAN =
  'required in requests; in the model a missing value (NaN) is imputed with the training median';

function yesNo(name: string, csvColumn: string, description: string): CategoricalFeature {
  return { name, kind: 'categorical', csvColumn, categories: YES_NO, description, missing: UNKNOWN_CATEGORY };
}

function internetAddOn(name: string, csvColumn: string, description: string): CategoricalFeature {
  return {
    name,
    kind: 'categorical',
    csvColumn,
    categories: NO_INTERNET,
    description,
    missing: UNKNOWN_CATEGORY,
  };
}

/** The 19 features, in the order of the IBM Telco CSV (the demo's legacy shape; TELCO_SCHEMA is the data). */
export const FEATURES: readonly Feature[] = [
  {
    name: 'gender',
    kind: 'categorical',
    csvColumn: 'gender',
    categories: ['Female', 'Male'],
    description: "Customer's gender",
    missing: UNKNOWN_CATEGORY,
  },
  {
    name: 'senior_citizen',
    kind: 'numerical',
    csvColumn: 'SeniorCitizen',
    min: 0,
    max: 1,
    integer: true,
    nullable: false,
    description: '1 if the customer is 65 or older, else 0',
    missing: IMPUTED_MEDIAN,
  },
  yesNo('partner', 'Partner', 'Whether the customer has a partner'),
  yesNo('dependents', 'Dependents', 'Whether the customer has dependents'),
  {
    name: 'tenure',
    kind: 'numerical',
    csvColumn: 'tenure',
    min: 0,
    max: 600,
    integer: true,
    nullable: false,
    description: 'Months the customer has stayed',
    missing: IMPUTED_MEDIAN,
  },
  yesNo('phone_service', 'PhoneService', 'Whether the customer has phone service'),
  {
    name: 'multiple_lines',
    kind: 'categorical',
    csvColumn: 'MultipleLines',
    categories: ['No', 'No phone service', 'Yes'],
    description: 'Whether the customer has multiple lines',
    missing: UNKNOWN_CATEGORY,
  },
  {
    name: 'internet_service',
    kind: 'categorical',
    csvColumn: 'InternetService',
    categories: ['DSL', 'Fiber optic', 'No'],
    description: "Customer's internet service provider",
    missing: UNKNOWN_CATEGORY,
  },
  internetAddOn('online_security', 'OnlineSecurity', 'Whether the customer has online security'),
  internetAddOn('online_backup', 'OnlineBackup', 'Whether the customer has online backup'),
  internetAddOn('device_protection', 'DeviceProtection', 'Whether the customer has device protection'),
  internetAddOn('tech_support', 'TechSupport', 'Whether the customer has tech support'),
  internetAddOn('streaming_tv', 'StreamingTV', 'Whether the customer streams TV'),
  internetAddOn('streaming_movies', 'StreamingMovies', 'Whether the customer streams movies'),
  {
    name: 'contract',
    kind: 'categorical',
    csvColumn: 'Contract',
    categories: ['Month-to-month', 'One year', 'Two year'],
    description: 'The contract term',
    missing: UNKNOWN_CATEGORY,
  },
  yesNo('paperless_billing', 'PaperlessBilling', 'Whether the customer has paperless billing'),
  {
    name: 'payment_method',
    kind: 'categorical',
    csvColumn: 'PaymentMethod',
    categories: ['Bank transfer (automatic)', 'Credit card (automatic)', 'Electronic check', 'Mailed check'],
    description: "The customer's payment method",
    missing: UNKNOWN_CATEGORY,
  },
  {
    name: 'monthly_charges',
    kind: 'numerical',
    csvColumn: 'MonthlyCharges',
    min: 0,
    max: 10_000,
    integer: false,
    nullable: false,
    description: 'The amount charged monthly (USD)',
    missing: IMPUTED_MEDIAN,
  },
  {
    name: 'total_charges',
    kind: 'numerical',
    csvColumn: 'TotalCharges',
    min: 0,
    max: 1_000_000,
    integer: false,
    nullable: true,
    description: 'The total amount charged (USD); blank in the CSV for new customers (tenure 0)',
    missing:
      'may be null (11 CSV rows are blank, all with tenure 0); the model imputes a missing value with 0, the total a new customer has been charged',
  },
];

export type FeatureName = (typeof FEATURES)[number]['name'];

/** The CSV column holding the label ("Yes" = churned) and the one holding the customer id. */
export const LABEL_COLUMN = 'Churn';
export const ID_COLUMN = 'customerID';

export const CATEGORICAL_FEATURES = FEATURES.filter((f): f is CategoricalFeature => f.kind === 'categorical');
export const NUMERICAL_FEATURES = FEATURES.filter((f): f is NumericalFeature => f.kind === 'numerical');

/** Features whose missing value means zero rather than "typical": TotalCharges is blank only at tenure 0. */
const IMPUTE_ZERO = new Set(['total_charges']);

/**
 * The demo as a schema: closed category sets (an unseen value is a 422, as the seed always did), the
 * validity bounds as hard bounds, snake_case names with the CSV's column names; training fills in the
 * ranges and imputation values.
 */
export const TELCO_SCHEMA: ModelSchema = parseModelSchema({
  task: 'binary_classification',
  target: { column: LABEL_COLUMN, positive: 'Yes', negative: 'No' },
  id_column: ID_COLUMN,
  features: FEATURES.map((f) =>
    f.kind === 'categorical'
      ? {
          name: f.name,
          kind: f.kind,
          column: f.csvColumn,
          description: f.description,
          categories: [...f.categories],
          closed: true,
          missing: { allowed: false, treatment: 'unknown_category' },
        }
      : {
          name: f.name,
          kind: f.kind,
          column: f.csvColumn,
          description: f.description,
          range: null,
          bounds: { min: f.min, max: f.max },
          integer: f.integer,
          missing: { allowed: f.nullable, treatment: 'impute', value: IMPUTE_ZERO.has(f.name) ? 0 : null },
        },
  ),
});

export type { FeatureRecord };
