// model.json: the metadata that travels with every model.onnx (snake_case: it is also the API's shape).
// One zod schema validates it wherever an artifact arrives (CLI, edge install, registry upload).
import { z } from 'zod';
import { reconstructionModelSchema } from '../multivariate/model-field';
import { modelSchemaSchema } from '../schema/model-schema';

export const MODEL_CARD_FORMAT = 'pmm-model/1';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const holdoutMetricsSchema = z.object({
  roc_auc: finite,
  log_loss: finite,
  accuracy: finite,
  brier: finite,
  /** At the 0.5 decision threshold. */
  precision: finite,
  recall: finite,
  rows: z.number().int().nonnegative(),
});
export type HoldoutMetrics = z.infer<typeof holdoutMetricsSchema>;

export const featureSchemaEntrySchema = z.object({
  name: z.string(),
  kind: z.enum(['categorical', 'numerical']),
  categories: z.array(z.string()).optional(),
});
export type FeatureSchemaEntry = z.infer<typeof featureSchemaEntrySchema>;

const columnProfileSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('numerical'),
    values: z.array(z.number()).readonly(),
    missing: z.number().int().nonnegative(),
  }),
  z.object({
    type: z.literal('categorical'),
    counts: z.record(z.string(), z.number().int().nonnegative()).readonly(),
    missing: z.number().int().nonnegative(),
  }),
]);

export const referenceProfileSchema = z.object({
  rows: z.number().int().nonnegative(),
  columns: z.record(z.string(), columnProfileSchema).readonly(),
});

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');

/**
 * How to feed the graph and read its output. Absent for pmm's own models (one input per feature, the
 * `probability` output); an imported model states its layout.
 */
export const servingSchema = z.object({
  /** `per_feature`: one `[N, 1]` input per feature, named by it; `tensor`: one float `[N, F]` input. */
  input: z.discriminatedUnion('layout', [
    z.object({ layout: z.literal('per_feature') }),
    z.object({ layout: z.literal('tensor'), name: z.string(), features: z.array(z.string()).min(1) }),
  ]),
  /** The output holding probabilities; `column` picks the positive class of an `[N, K]` output. */
  output: z.object({ name: z.string(), column: z.number().int().nonnegative().nullable() }),
  /** Engines that can serve it: `lite` only when every operator is implemented by the lite engine. */
  engines: z.array(z.enum(['ort', 'lite'])).min(1),
  /** Why the lite engine cannot serve it (so a lite edge refuses with this reason). */
  lite_refusal: z.string().optional(),
});
export type Serving = z.infer<typeof servingSchema>;

export const modelCardSchema = z.looseObject({
  format: z.literal(MODEL_CARD_FORMAT),
  version: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, underscore and dash only'),
  created_at: z.iso.datetime(),
  parent_version: z.string().nullable(),
  training_data_sha256: sha256,
  onnx_sha256: sha256,
  /** Legacy summary of the inputs (name, kind, categories); `schema` is the full description. */
  feature_schema: z.array(featureSchemaEntrySchema),
  /** The feature schema, target and task (absent in older model.json files: see `modelSchemaOf`). */
  schema: modelSchemaSchema.optional(),
  /** Who made the model: pmm's trainer, or an ONNX file imported with `pmm import`. */
  origin: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('trained') }),
      z.object({ kind: z.literal('imported'), file: z.string(), producer: z.string() }),
    ])
    .optional(),
  serving: servingSchema.optional(),
  metrics: holdoutMetricsSchema,
  training: z.object({
    seed: z.number().int(),
    train_rows: z.number().int().nonnegative(),
    holdout_rows: z.number().int().nonnegative(),
    epochs: z.number().int().nonnegative(),
    hidden_units: z.array(z.number().int().positive()),
    l2: z.number().nonnegative(),
    /** 0 for an imported model (pmm did not train it). */
    learning_rate: z.number().nonnegative(),
    seconds: z.number().nonnegative(),
  }),
  reference_profile: referenceProfileSchema,
  /** The holdout's scores and labels, the reference CBPE estimates from (`pmm estimate --model`). */
  reference_predictions: z
    .object({
      scores: z.array(z.number().min(0).max(1)),
      targets: z.array(z.union([z.literal(0), z.literal(1)])),
    })
    .optional(),
  /**
   * NannyML's data-reconstruction model fitted on the reference rows (imputation, frequency encodings, scaler, PCA)
   * and those rows' errors: `pmm multivariate --model` and per-row errors at the edge (absent in older cards).
   */
  multivariate: reconstructionModelSchema.optional(),
  /**
   * Set by retraining: this version and the model it was meant to replace, scored on the SAME holdout rows
   * (the parent's own holdout plus held-out labelled predictions), so the two can be compared fairly.
   */
  comparison: z
    .object({
      against_version: z.string(),
      holdout_rows: z.number().int().nonnegative(),
      this: holdoutMetricsSchema,
      against: holdoutMetricsSchema,
    })
    .optional(),
});
export type ModelCard = z.infer<typeof modelCardSchema>;
