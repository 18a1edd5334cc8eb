// The model.json `multivariate` field: built from feature records and a schema, it equals the scikit-learn
// reference's fit, survives a JSON round trip with the same row errors, and malformed fields are refused by path.

import { describe, expect, it } from 'vitest';
import raw from './fixtures/reconstruction.json';
import { type FixtureColumn, tableOf } from './fixtures/table';
import {
  fitReconstruction,
  multivariateField,
  parseReconstructionModel,
  reconstructionErrors,
  tableFromRecords,
} from './index';

const c = (
  raw as unknown as {
    cases: {
      name: string;
      reference: FixtureColumn[];
      analysis: FixtureColumn[];
      analysis_row_errors: number[];
    }[];
  }
).cases.find((x) => x.name === 'missing-unseen-constant')!;
const features = c.reference.map((col) => ({
  name: col.name,
  kind: col.kind === 'continuous' ? ('numerical' as const) : ('categorical' as const),
}));
const records = (cols: FixtureColumn[]) =>
  cols[0]!.values.map((_, i) => Object.fromEntries(cols.map((col) => [col.name, col.values[i] ?? null])));

describe('the multivariate field of model.json', () => {
  const field = multivariateField(records(c.reference), features);

  it('is the same fit as from columns, and scores rows as the scikit-learn reference', () => {
    expect(field).toEqual(fitReconstruction(tableOf(c.reference)));
    const errors = reconstructionErrors(field, tableFromRecords(records(c.analysis), features));
    c.analysis_row_errors.forEach((e, i) => {
      expect(Math.abs(errors[i]! - e) / e).toBeLessThanOrEqual(1e-9);
    });
  });

  it('survives JSON (as model.json stores it) with identical row errors', () => {
    const back = parseReconstructionModel(JSON.parse(JSON.stringify(field)));
    const table = tableOf(c.analysis);
    expect(Array.from(reconstructionErrors(back, table))).toEqual(
      Array.from(reconstructionErrors(field, table)),
    );
  });

  it('refuses a malformed field, naming where', () => {
    const json = JSON.parse(JSON.stringify(field));
    expect(() => parseReconstructionModel({ ...json, version: 2 })).toThrow(/multivariate\.version/);
    expect(() => parseReconstructionModel({ ...json, scaler: { ...json.scaler, scale: [1] } })).toThrow(
      /multivariate\.scaler\.scale has 1 entries for 6 columns/,
    );
    const components = [json.pca.components[0].slice(1)];
    expect(() => parseReconstructionModel({ ...json, pca: { ...json.pca, components } })).toThrow(
      /multivariate\.pca\.components\.0 has 5 entries/,
    );
    expect(() =>
      parseReconstructionModel({ ...json, columns: [{ name: 'a', kind: 'categorical', impute: 'x' }] }),
    ).toThrow(/multivariate\.columns\.0\.encoding/);
  });

  it('names a record whose numerical feature is not a number', () => {
    expect(() => multivariateField([{ a: 1 }, { a: 'many' }], [{ name: 'a', kind: 'numerical' }])).toThrow(
      /feature "a" in record 2 is "many"/,
    );
  });
});
