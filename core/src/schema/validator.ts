// The request validator built at run time from a model's schema (zod), cached per model version.
import { z } from 'zod';
import type { CategoricalSchemaFeature, ModelSchema, NumericalSchemaFeature } from './model-schema';

/** One customer's (row's) features: strings for categorical features, numbers (or null where missing). */
export type FeatureRecord = Record<string, string | number | null>;

/** One validation problem: the path to the field and what is wrong with it. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** A value the schema accepts but the model never saw in training: monitoring counts these. */
export interface OutOfDomain {
  readonly field: string;
  readonly reason: 'unseen_category' | 'out_of_range';
}

/** Per field, how many rows sent an unseen category / a number outside the training range. */
export interface OutOfDomainCounts {
  readonly unseen_category: Record<string, number>;
  readonly out_of_range: Record<string, number>;
}

export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T; readonly outOfDomain: OutOfDomainCounts }
  | { readonly ok: false; readonly issues: FieldIssue[] };

/** `POST /api/v1/predict/batch` holds up to 1,000 rows, answered in order. */
export const MAX_BATCH_ROWS = 1000;

const quote = (v: unknown) => JSON.stringify(v);

function listValues(values: readonly string[], limit = 20): string {
  const shown = values.slice(0, limit).map(quote).join(', ');
  return values.length > limit ? `${shown} (and ${values.length - limit} more)` : shown;
}

function categoricalField(f: CategoricalSchemaFeature) {
  const refused = (input: unknown) =>
    input === undefined
      ? 'missing'
      : input === null
        ? 'missing value (null) is not allowed'
        : `${quote(input)} is not allowed; allowed values: ${listValues(f.categories)}`;
  let s: z.ZodType;
  if (f.closed && f.categories.length > 0) {
    // An enum, so the OpenAPI document lists the allowed values.
    const [first, ...rest] = f.categories;
    s = z.enum([first!, ...rest], { error: (iss) => refused(iss.input) });
  } else {
    s = z.string({
      error: (iss) =>
        iss.input === undefined || iss.input === null || f.closed
          ? refused(iss.input)
          : `expected a string, got ${typeof iss.input}`,
    });
    if (f.closed) s = s.refine(() => false, { error: (iss) => refused(iss.input) });
  }
  if (f.description) s = s.describe(f.description);
  return f.missing.allowed ? s.nullable() : s;
}

function numericalField(f: NumericalSchemaFeature) {
  let n = z.number({
    error: (iss) =>
      iss.input === undefined
        ? 'missing'
        : iss.input === null
          ? 'missing value (null) is not allowed'
          : `expected a finite number, got ${typeof iss.input === 'number' ? iss.input : typeof iss.input}`,
  });
  if (f.bounds?.min !== undefined) n = n.min(f.bounds.min);
  if (f.bounds?.max !== undefined) n = n.max(f.bounds.max);
  if (f.integer) n = n.int();
  const s: z.ZodType = f.description ? n.describe(f.description) : n;
  return f.missing.allowed ? s.nullable() : s;
}

/** The zod object of one row's features: every feature required, no extra keys. */
export function buildFeaturesSchema(schema: Pick<ModelSchema, 'features'>) {
  const shape: Record<string, z.ZodType> = {};
  for (const f of schema.features)
    shape[f.name] = f.kind === 'categorical' ? categoricalField(f) : numericalField(f);
  return z.strictObject(shape);
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

export interface RequestValidator {
  readonly schema: ModelSchema;
  /** One row's features. */
  readonly features: z.ZodObject;
  /** `{ features: {...} }` (`POST /api/v1/predict`). */
  readonly request: z.ZodObject;
  /** `{ rows: [...] }` (`POST /api/v1/predict/batch`), 1..1,000 rows. */
  readonly batch: z.ZodObject;
  /** Validates one features object; on success, what in it lies outside the training domain. */
  validateFeatures(value: unknown): ValidationResult<FeatureRecord>;
  validateRequest(value: unknown): ValidationResult<FeatureRecord>;
  validateBatch(value: unknown): ValidationResult<FeatureRecord[]>;
  /** The out-of-domain values of rows already validated (counted per field). */
  outOfDomain(rows: readonly FeatureRecord[]): OutOfDomainCounts;
  /** The out-of-domain values of one validated row. */
  outOfDomainOf(row: FeatureRecord): OutOfDomain[];
}

/** Builds the validator of a schema (see `requestValidatorFor` for the cached one per model version). */
export function buildRequestValidator(schema: ModelSchema): RequestValidator {
  const features = buildFeaturesSchema(schema);
  const request = z.strictObject({ features });
  const batch = z.strictObject({ rows: z.array(features).min(1).max(MAX_BATCH_ROWS) });
  const categorical = schema.features
    .filter((f): f is CategoricalSchemaFeature => f.kind === 'categorical' && !f.closed)
    .map((f) => ({ name: f.name, known: new Set(f.categories) }));
  const numerical = schema.features.filter(
    (f): f is NumericalSchemaFeature => f.kind === 'numerical' && f.range !== null,
  );

  const outOfDomainOf = (row: FeatureRecord): OutOfDomain[] => {
    const found: OutOfDomain[] = [];
    for (const c of categorical) {
      const v = row[c.name];
      if (typeof v === 'string' && !c.known.has(v)) found.push({ field: c.name, reason: 'unseen_category' });
    }
    for (const n of numerical) {
      const v = row[n.name];
      if (typeof v === 'number' && (v < n.range!.min || v > n.range!.max))
        found.push({ field: n.name, reason: 'out_of_range' });
    }
    return found;
  };
  const outOfDomain = (rows: readonly FeatureRecord[]): OutOfDomainCounts => {
    const counts: OutOfDomainCounts = { unseen_category: {}, out_of_range: {} };
    for (const row of rows)
      for (const { field, reason } of outOfDomainOf(row))
        counts[reason][field] = (counts[reason][field] ?? 0) + 1;
    return counts;
  };
  const run = <T>(
    zodSchema: z.ZodType,
    value: unknown,
    pick: (parsed: never) => T,
    rows: (v: T) => FeatureRecord[],
  ) => {
    const result = zodSchema.safeParse(value);
    if (!result.success) return { ok: false as const, issues: toFieldIssues(result.error) };
    const picked = pick(result.data as never);
    return { ok: true as const, value: picked, outOfDomain: outOfDomain(rows(picked)) };
  };

  return {
    schema,
    features,
    request,
    batch,
    validateFeatures: (value) =>
      run(
        features,
        value,
        (d: FeatureRecord) => d,
        (r) => [r],
      ),
    validateRequest: (value) =>
      run(
        request,
        value,
        (d: { features: FeatureRecord }) => d.features,
        (r) => [r],
      ),
    validateBatch: (value) =>
      run(
        batch,
        value,
        (d: { rows: FeatureRecord[] }) => d.rows,
        (r) => r,
      ),
    outOfDomain,
    outOfDomainOf,
  };
}

const cache = new Map<string, RequestValidator>();
const CACHE_LIMIT = 32;

/**
 * The validator of a model version's schema, built once per version and reused (a handful of versions
 * are live at a time; the oldest entry is dropped beyond 32).
 */
export function requestValidatorFor(version: string, schema: ModelSchema): RequestValidator {
  let v = cache.get(version);
  if (v === undefined) {
    v = buildRequestValidator(schema);
    cache.delete(version);
    cache.set(version, v);
    if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  }
  return v;
}
