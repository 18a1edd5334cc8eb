// The model.json `multivariate` field: built from feature records and a schema, it equals the scikit-learn
// reference's fit, survives a JSON round trip with the same row errors, and malformed fields are refused by path.

import { describe, expect, it } from 'vitest';
import { modelCardSchema } from '../model/artifact-types';
import raw from './fixtures/reconstruction.json';
import { type FixtureColumn, tableOf } from './fixtures/table';
import {
  compileRowError,
  fitReconstruction,
  multivariateField,
  parseReconstructionModel,
  reconstructionErrors,
  referenceDrift,
  referenceDriftFromErrors,
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
    const { reference_errors, ...fit } = field;
    expect(fit).toEqual(fitReconstruction(tableOf(c.reference)));
    expect(reference_errors).toEqual(Array.from(reconstructionErrors(field, tableOf(c.reference))));
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

  it('gives the reference chunks and thresholds of the rows from the stored errors alone', () => {
    const n = c.reference[0]!.values.length;
    const chunks = [0, 1, 2].map((k) => {
      const start = Math.floor((k * n) / 3);
      const end = Math.floor(((k + 1) * n) / 3) - 1;
      return { key: `[${start}:${end}]`, start_index: start, end_index: end };
    });
    const back = parseReconstructionModel(JSON.parse(JSON.stringify(field)));
    const fromErrors = referenceDriftFromErrors(back, back.reference_errors!, chunks);
    const fromRows = referenceDrift(field, tableOf(c.reference), chunks);
    expect(fromErrors.thresholds).toEqual(fromRows.thresholds);
    expect(fromErrors.reference_chunks).toEqual(fromRows.reference_chunks);
    expect(() => referenceDriftFromErrors(back, back.reference_errors!.slice(1), chunks)).toThrow(
      /the reference chunks end at row/,
    );
  });

  it('scores one record at a time exactly as the table (the edge, per row)', () => {
    const rowError = compileRowError(field);
    const analysis = records(c.analysis);
    const table = reconstructionErrors(field, tableFromRecords(analysis, features));
    expect(analysis.map((r) => rowError(r))).toEqual(Array.from(table));
    c.analysis_row_errors.forEach((e, i) => {
      expect(Math.abs(rowError(analysis[i]!) - e) / e).toBeLessThanOrEqual(1e-9);
    });
    // a record without some features imputes them; a text value in a numerical feature is refused by name
    const numerical = features.find((f) => f.kind === 'numerical')!.name;
    expect(Number.isFinite(rowError({}))).toBe(true);
    expect(() => rowError({ ...analysis[0], [numerical]: 'many' })).toThrow(
      new RegExp(`column "${numerical}" is "many"`),
    );
  });

  it('is an optional field of model.json, checked there too', () => {
    const card = { multivariate: JSON.parse(JSON.stringify(field)) };
    const shape = modelCardSchema.shape.multivariate;
    expect(shape.safeParse(undefined).success).toBe(true);
    expect(shape.parse(card.multivariate)).toEqual(field);
    const bad = { ...card.multivariate, pca: { ...card.multivariate.pca, mean: [0] } };
    const result = shape.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['pca', 'mean']);
  });

  it('names a record whose numerical feature is not a number', () => {
    expect(() => multivariateField([{ a: 1 }, { a: 'many' }], [{ name: 'a', kind: 'numerical' }])).toThrow(
      /feature "a" in record 2 is "many"/,
    );
  });
});
