// The `multivariate` field of model.json at training and import: the reconstruction model fitted on the model's
// reference rows (NannyML's data reconstruction, core/src/multivariate), kept light enough for the edge.
import { MultivariateInputError, type ReconstructionModel } from '../multivariate/fit-reconstruction';
import { multivariateField } from '../multivariate/model-field';
import type { SchemaFeature } from '../schema/model-schema';
import type { FeatureRecord } from '../schema/validator';
import { mulberry32, shuffledIndices } from './rng';

/** The fit keeps at most this many reference rows (a seeded sample, in file order, beyond it). */
export const MULTIVARIATE_MAX_ROWS = 20_000;

/** The rows the fit uses: all of them up to MULTIVARIATE_MAX_ROWS, in their order; else a seeded sample in order. */
export function multivariateReferenceRows(
  records: readonly FeatureRecord[],
  seed = 0,
): readonly FeatureRecord[] {
  if (records.length <= MULTIVARIATE_MAX_ROWS) return records;
  const picked = shuffledIndices(records.length, mulberry32(seed ^ 0x3c6ef372))
    .slice(0, MULTIVARIATE_MAX_ROWS)
    .sort();
  return Array.from(picked, (i) => records[i]!);
}

/**
 * The field for the model's reference rows, typed by its schema (`pmm multivariate --model` then gives the numbers of
 * `--reference` with those rows). Undefined, with the reason, when the rows cannot be fitted (e.g. every column
 * constant): the card stays valid without it.
 */
export function fitMultivariateField(
  records: readonly FeatureRecord[],
  features: readonly SchemaFeature[],
  seed = 0,
): { field: ReconstructionModel } | { field: undefined; reason: string } {
  try {
    return {
      field: multivariateField(
        multivariateReferenceRows(records, seed),
        features.map((f) => ({ name: f.name, kind: f.kind })),
      ),
    };
  } catch (error) {
    if (error instanceof MultivariateInputError) return { field: undefined, reason: error.message };
    throw error;
  }
}
