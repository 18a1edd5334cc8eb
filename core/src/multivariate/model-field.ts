// The optional `multivariate` field of model.json: the reconstruction model fitted on the training rows (imputation,
// encodings, scaler, PCA components), built from feature records and a feature schema, and read back with checks.

import { z } from 'zod';
import {
  type FitOptions,
  fitReconstruction,
  MultivariateInputError,
  type MultivariateTable,
  type ReconstructionModel,
} from './fit-reconstruction';

/** What the field needs to know of each feature: its name and whether it is numerical or categorical. */
export interface FeatureKind {
  readonly name: string;
  readonly kind: 'numerical' | 'categorical';
}

type FeatureRecord = Readonly<Record<string, string | number | null | undefined>>;

/** Feature records as a table typed by the schema: numbers (null → NaN) or text (null → missing). */
export function tableFromRecords(
  records: readonly FeatureRecord[],
  features: readonly FeatureKind[],
): MultivariateTable {
  return {
    rows: records.length,
    columns: features.map((f) => {
      if (f.kind === 'numerical')
        return {
          name: f.name,
          kind: 'continuous' as const,
          values: Float64Array.from(records, (r, i) => {
            const v = r[f.name];
            if (v === null || v === undefined || v === '') return Number.NaN;
            const n = typeof v === 'number' ? v : Number(v);
            if (!Number.isFinite(n))
              throw new MultivariateInputError(
                `feature "${f.name}" in record ${i + 1} is "${v}", not a number`,
              );
            return n;
          }),
        };
      return {
        name: f.name,
        kind: 'categorical' as const,
        values: records.map((r) => {
          const v = r[f.name];
          return v === null || v === undefined || v === '' ? null : String(v);
        }),
      };
    }),
  };
}

/**
 * The `multivariate` field `pmm train` can write: `fitReconstruction` on the training records, typed by the schema
 * (a 0/1 numerical feature stays continuous, as NannyML treats a numeric column).
 */
export function multivariateField(
  records: readonly FeatureRecord[],
  features: readonly FeatureKind[],
  options: FitOptions = {},
): ReconstructionModel {
  return fitReconstruction(tableFromRecords(records, features), options);
}

const finite = z.number().finite();

/** zod schema of the field, as model.json stores it. */
export const reconstructionModelSchema = z.object({
  version: z.literal(1),
  columns: z
    .array(
      z.discriminatedUnion('kind', [
        z.object({ name: z.string(), kind: z.literal('continuous'), impute: finite }),
        z.object({
          name: z.string(),
          kind: z.literal('categorical'),
          impute: z.string(),
          encoding: z.record(z.string(), z.number().min(0).max(1)),
        }),
      ]),
    )
    .min(1),
  scaler: z.object({ mean: z.array(finite), scale: z.array(z.number().positive()) }),
  pca: z.object({
    mean: z.array(finite),
    components: z.array(z.array(finite)).min(1),
    explained_variance_ratio: z.array(z.number()),
  }),
});

/** Reads the field back from JSON, checking its shape and that every vector has one entry per column. */
export function parseReconstructionModel(json: unknown): ReconstructionModel {
  const parsed = reconstructionModelSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MultivariateInputError(`multivariate.${issue.path.join('.')}: ${issue.message}`);
  }
  const model = parsed.data;
  const p = model.columns.length;
  const check = (what: string, length: number) => {
    if (length !== p)
      throw new MultivariateInputError(`multivariate.${what} has ${length} entries for ${p} columns`);
  };
  check('scaler.mean', model.scaler.mean.length);
  check('scaler.scale', model.scaler.scale.length);
  check('pca.mean', model.pca.mean.length);
  check('pca.explained_variance_ratio', model.pca.explained_variance_ratio.length);
  model.pca.components.forEach((row, i) => {
    check(`pca.components.${i}`, row.length);
  });
  if (model.pca.components.length > p)
    throw new MultivariateInputError(`multivariate.pca.components has more rows than the ${p} columns`);
  return model as ReconstructionModel;
}
