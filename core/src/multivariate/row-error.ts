// One row's reconstruction error from a fitted model (model.json's `multivariate`), for a caller that sees rows one
// at a time (the edge, as it predicts): the lookups are built once, then each row costs O(columns × components).

import { MultivariateInputError, type ReconstructionModel } from './fit-reconstruction';
import { residualNorm } from './reconstruction-drift';

type RowValue = string | number | boolean | null | undefined;

/** Scores one feature record (keys are the model's column names; missing or blank values are imputed). */
export type RowErrorFunction = (record: Readonly<Record<string, RowValue>>) => number;

/**
 * Compiles the per-row reconstruction error of `model`: impute, encode, scale, project on the kept components and
 * back, the Euclidean norm of the residual — the same arithmetic, in the same order, as `reconstructionErrors`, so a
 * row scores identically either way. A numerical value that is not a number throws MultivariateInputError naming
 * the column. Example: `compileRowError(model)({ tenure: 3, contract: 'Month-to-month' })` → 1.87…
 */
export function compileRowError(model: ReconstructionModel): RowErrorFunction {
  const p = model.columns.length;
  const k = model.pca.components.length;
  const names = model.columns.map((c) => c.name);
  const continuous = model.columns.map((c) => c.kind === 'continuous');
  const impute = model.columns.map((c) => (c.kind === 'continuous' ? c.impute : Number.NaN));
  const encodings = model.columns.map((c) =>
    c.kind === 'categorical' ? new Map(Object.entries(c.encoding)) : null,
  );
  const imputedCode = model.columns.map((c) => (c.kind === 'categorical' ? (c.encoding[c.impute] ?? 0) : 0));
  const mean = Float64Array.from(model.scaler.mean);
  const scale = Float64Array.from(model.scaler.scale);
  const centre = Float64Array.from(model.pca.mean);
  const components = model.pca.components.map((v) => Float64Array.from(v));
  const row = new Float64Array(p);
  const proj = new Float64Array(k);
  return (record) => {
    for (let j = 0; j < p; j++) {
      const v = record[names[j]!];
      const blank = v === null || v === undefined || v === '';
      let x: number;
      if (continuous[j]) {
        if (blank) x = impute[j]!;
        else {
          x = typeof v === 'number' ? v : Number(v);
          if (Number.isNaN(x)) x = typeof v === 'number' ? impute[j]! : Number.NaN;
          if (!Number.isFinite(x))
            throw new MultivariateInputError(`column "${names[j]}" is "${String(v)}", not a number`);
        }
      } else x = blank ? imputedCode[j]! : (encodings[j]!.get(String(v)) ?? 0);
      row[j] = (x - mean[j]!) / scale[j]! - centre[j]!;
    }
    return residualNorm(row, components, proj);
  };
}
