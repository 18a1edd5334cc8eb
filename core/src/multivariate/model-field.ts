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
import { reconstructionErrors } from './reconstruction-drift';

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
 * The `multivariate` field `pmm train` and `pmm import` write: `fitReconstruction` on the reference records, typed by
 * the schema (a 0/1 numerical feature stays continuous, as NannyML treats a numeric column), with the reference rows'
 * own errors in their order (`reference_errors`), so that the reference chunks and thresholds of any chunking by
 * size or number can be recomputed from model.json alone, exactly as from the rows.
 */
export function multivariateField(
  records: readonly FeatureRecord[],
  features: readonly FeatureKind[],
  options: FitOptions = {},
): ReconstructionModel {
  const table = tableFromRecords(records, features);
  const model = fitReconstruction(table, options);
  return { ...model, reference_errors: Array.from(reconstructionErrors(model, table)) };
}

const finite = z.number().finite();

const fieldShape = z.object({
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
  reference_errors: z.array(z.number().nonnegative()).optional(),
});

type FieldShape = z.infer<typeof fieldShape>;

/** The first vector whose length does not match the columns, as a path below `multivariate` and a message. */
function lengthIssue(model: FieldShape): { path: (string | number)[]; message: string } | null {
  const p = model.columns.length;
  const vectors: [(string | number)[], number][] = [
    [['scaler', 'mean'], model.scaler.mean.length],
    [['scaler', 'scale'], model.scaler.scale.length],
    [['pca', 'mean'], model.pca.mean.length],
    [['pca', 'explained_variance_ratio'], model.pca.explained_variance_ratio.length],
    ...model.pca.components.map((row, i): [(string | number)[], number] => [
      ['pca', 'components', i],
      row.length,
    ]),
  ];
  for (const [path, length] of vectors)
    if (length !== p) return { path, message: `has ${length} entries for ${p} columns` };
  if (model.pca.components.length > p)
    return { path: ['pca', 'components'], message: `has more rows than the ${p} columns` };
  return null;
}

/** zod schema of the field, as model.json stores it (the card's `multivariate`), vector lengths checked. */
export const reconstructionModelSchema: z.ZodType<ReconstructionModel> = fieldShape.superRefine(
  (model, ctx) => {
    const issue = lengthIssue(model);
    if (issue) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  },
);

/** Reads the field back from JSON, checking its shape and that every vector has one entry per column. */
export function parseReconstructionModel(json: unknown): ReconstructionModel {
  const parsed = fieldShape.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MultivariateInputError(`multivariate.${issue.path.join('.')}: ${issue.message}`);
  }
  const issue = lengthIssue(parsed.data);
  if (issue) throw new MultivariateInputError(`multivariate.${issue.path.join('.')} ${issue.message}`);
  return parsed.data as ReconstructionModel;
}
