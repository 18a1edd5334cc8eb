// The feature schema as data: what model.json says about each input, the target and the task (zod + types).
import { z } from 'zod';

/**
 * The task the model solves. Only binary classification exists today; multiclass and regression join this
 * list later (their targets then carry classes or a unit instead of a positive class).
 */
export const TASKS = ['binary_classification'] as const;
export type Task = (typeof TASKS)[number];

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** A categorical input: the categories seen in training; `closed` makes an unseen value a 422. */
export const categoricalFeatureSchema = z.object({
  /** The name exactly as written in the training data (spaces, capitals, any UTF-8): the request key. */
  name: z.string().min(1),
  kind: z.literal('categorical'),
  /** The source column when it differs from `name` (the Telco CSV's `PaymentMethod` for `payment_method`). */
  column: z.string().min(1).optional(),
  description: z.string().optional(),
  /** Categories seen in training, in the order of the model's one-hot slots. */
  categories: z.array(z.string()),
  /** Closed: any other value is refused. Open (the default): accepted, encoded as unknown, counted. */
  closed: z.boolean().default(false),
  missing: z.object({
    /** Whether a request may send `null`. */
    allowed: z.boolean(),
    /** How the model treats a missing or unseen value: no one-hot bit set (all zeros). */
    treatment: z.literal('unknown_category').default('unknown_category'),
  }),
});

/** A numerical input: the training range (for monitoring) and optional hard bounds (for validation). */
export const numericalFeatureSchema = z.object({
  name: z.string().min(1),
  kind: z.literal('numerical'),
  column: z.string().min(1).optional(),
  description: z.string().optional(),
  /** min/max seen in training; a request outside is accepted and counted as out of range. null: unknown. */
  range: z.object({ min: finite, max: finite }).nullable(),
  /** Hard validity bounds: a value outside is a 422 (the Telco demo's, e.g. charges >= 0). */
  bounds: z.object({ min: finite.optional(), max: finite.optional() }).optional(),
  /** Whole numbers only (a 422 otherwise). */
  integer: z.boolean().default(false),
  missing: z.object({
    allowed: z.boolean(),
    /**
     * How the model treats a missing value: `impute` replaces it by `value` (the training median, or a
     * fixed value such as 0); `model` leaves it to the model (an imported graph that handles NaN itself).
     */
    treatment: z.enum(['impute', 'model']).default('impute'),
    /** The imputation value; null until training has fitted it, or when the model handles NaN itself. */
    value: finite.nullable().default(null),
  }),
});

export const schemaFeatureSchema = z.discriminatedUnion('kind', [
  categoricalFeatureSchema,
  numericalFeatureSchema,
]);

export const modelSchemaSchema = z
  .object({
    task: z.enum(TASKS),
    target: z.object({
      /** The column of the training/reference data holding the outcome. */
      column: z.string().min(1),
      /** The value of that column counted as the positive class (what the probability is of). */
      positive: z.string(),
      /** The other value, when known. */
      negative: z.string().optional(),
    }),
    /** The model's inputs, in the order the model takes them (a tensor input's column order). */
    features: z.array(schemaFeatureSchema).min(1),
    /** A column identifying rows (never a feature). */
    id_column: z.string().optional(),
  })
  .superRefine((schema, ctx) => {
    const seen = new Set<string>();
    schema.features.forEach((f, i) => {
      if (seen.has(f.name))
        ctx.addIssue({ code: 'custom', path: ['features', i, 'name'], message: `"${f.name}" appears twice` });
      seen.add(f.name);
      if (f.kind === 'categorical' && new Set(f.categories).size !== f.categories.length)
        ctx.addIssue({
          code: 'custom',
          path: ['features', i, 'categories'],
          message: `"${f.name}" lists a category twice`,
        });
    });
  });

export type CategoricalSchemaFeature = z.infer<typeof categoricalFeatureSchema>;
export type NumericalSchemaFeature = z.infer<typeof numericalFeatureSchema>;
export type SchemaFeature = z.infer<typeof schemaFeatureSchema>;
export type ModelSchema = z.infer<typeof modelSchemaSchema>;
/** What a schema is written as (defaults may be left out). */
export type ModelSchemaInput = z.input<typeof modelSchemaSchema>;

export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

/** Parses and validates a schema object; the error names the offending field. */
export function parseModelSchema(input: unknown): ModelSchema {
  const result = modelSchemaSchema.safeParse(input);
  if (!result.success) {
    const first = result.error.issues[0]!;
    throw new SchemaError(`schema: ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return result.data;
}

/** The schema's categorical and numerical features, in schema order. */
export function featuresByKind(schema: Pick<ModelSchema, 'features'>): {
  categorical: CategoricalSchemaFeature[];
  numerical: NumericalSchemaFeature[];
} {
  return {
    categorical: schema.features.filter((f): f is CategoricalSchemaFeature => f.kind === 'categorical'),
    numerical: schema.features.filter((f): f is NumericalSchemaFeature => f.kind === 'numerical'),
  };
}
