// The install canary's row, built from the model's own schema: one valid value per feature, so any model is checked.
import type { FeatureRecord, ModelSchema, NumericalSchemaFeature } from '@pmm/core/schema';

/** A number the feature accepts: the training range's midpoint, else inside the validity bounds, else its imputation value or 0. */
function numericalValue(f: NumericalSchemaFeature): number {
  const { min, max } = f.bounds ?? {};
  let v: number;
  if (f.range) v = (f.range.min + f.range.max) / 2;
  else if (min !== undefined && max !== undefined) v = (min + max) / 2;
  else v = f.missing.value ?? min ?? max ?? 0;
  if (f.integer) v = Math.round(v);
  if (min !== undefined && v < min) v = f.integer ? Math.ceil(min) : min;
  if (max !== undefined && v > max) v = f.integer ? Math.floor(max) : max;
  return v;
}

/**
 * One row the schema accepts: a categorical feature's first training category (or, with none listed, null where
 * missing is allowed and else a placeholder, which an open set accepts and encodes as unknown), a numerical
 * feature's training midpoint.
 */
export function canaryRow(schema: Pick<ModelSchema, 'features'>): FeatureRecord {
  const row: FeatureRecord = {};
  for (const f of schema.features) {
    if (f.kind === 'numerical') row[f.name] = numericalValue(f);
    else row[f.name] = f.categories[0] ?? (f.missing.allowed ? null : '(canary)');
  }
  return row;
}
