// Data-reconstruction drift against the reference script on scikit-learn's SimpleImputer, StandardScaler and PCA
// (fixtures/generate.py): fitted values, per-row errors, chunk values, sampling errors, thresholds and alerts.

import { describe, expect, it } from 'vitest';
import { countChunks, sizeChunks } from '../chunk/size-chunks';
import raw from './fixtures/reconstruction.json';
import { type FixtureColumn, tableOf } from './fixtures/table';
import {
  analysisDrift,
  fitReconstruction,
  type ReconstructionChunk,
  reconstructionErrors,
  referenceDrift,
} from './index';

interface FixtureChunk {
  start: number;
  end: number;
  rows: number;
  value: number;
  sampling_error: number | null;
  upper_confidence_bound: number | null;
  lower_confidence_bound: number | null;
  upper_threshold: number | null;
  lower_threshold: number | null;
  alert: boolean;
}
interface Case {
  name: string;
  note: string;
  chunking: { kind: 'size' | 'number'; value: number };
  reference: FixtureColumn[];
  analysis: FixtureColumn[];
  fit: {
    imputed: Record<string, number | string>;
    encodings: Record<string, Record<string, number>>;
    scaler_mean: number[];
    scaler_scale: number[];
    pca_mean: number[];
    components: number;
    explained_variance_ratio: number[];
  };
  analysis_row_errors: number[];
  thresholds: [number | null, number | null];
  reference_chunks: FixtureChunk[];
  chunks: FixtureChunk[];
}
const cases = (raw as unknown as { cases: Case[] }).cases;

/** Relative tolerance against the scikit-learn reference (absolute below 1). */
const TOL = 1e-9;

function close(actual: number, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNaN();
    return;
  }
  expect(
    Math.abs(actual - expected) / Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  ).toBeLessThanOrEqual(TOL);
}

function chunker(c: Case, rows: number) {
  return c.chunking.kind === 'size'
    ? sizeChunks(rows, c.chunking.value)
    : countChunks(rows, c.chunking.value);
}

function compareChunks(actual: readonly ReconstructionChunk[], expected: FixtureChunk[], what: string): void {
  expect(actual.map((c) => [c.start_index, c.end_index, c.rows])).toEqual(
    expected.map((c) => [c.start, c.end, c.rows]),
  );
  expected.forEach((e, i) => {
    const a = actual[i]!;
    close(a.value, e.value, `${what} ${i} value`);
    close(a.sampling_error, e.sampling_error, `${what} ${i} sampling_error`);
    close(a.upper_confidence_bound, e.upper_confidence_bound, `${what} ${i} upper_confidence_bound`);
    close(a.lower_confidence_bound, e.lower_confidence_bound, `${what} ${i} lower_confidence_bound`);
    for (const k of ['lower_threshold', 'upper_threshold'] as const) {
      if (e[k] === null) expect(a[k], `${what} ${i} ${k}`).toBeNull();
      else close(a[k]!, e[k], `${what} ${i} ${k}`);
    }
    expect(a.alert, `${what} ${i} alert`).toBe(e.alert);
  });
}

describe.each(cases.map((c) => [c.name, c] as const))('reconstruction drift: %s', (_name, c) => {
  const reference = tableOf(c.reference);
  const analysis = tableOf(c.analysis);
  const model = fitReconstruction(reference);

  it('fits the imputation, encodings and scaler of scikit-learn', () => {
    for (const col of model.columns) {
      const expected = c.fit.imputed[col.name]!;
      if (col.kind === 'continuous') close(col.impute, expected as number, `${col.name} mean`);
      else {
        expect(col.impute).toBe(expected);
        expect(Object.keys(col.encoding).sort()).toEqual(Object.keys(c.fit.encodings[col.name]!).sort());
        for (const [k, v] of Object.entries(c.fit.encodings[col.name]!))
          close(col.encoding[k]!, v, `${col.name} ${k}`);
      }
    }
    model.scaler.mean.forEach((m, j) => {
      close(m, c.fit.scaler_mean[j]!, `scaler mean ${j}`);
    });
    model.scaler.scale.forEach((s, j) => {
      close(s, c.fit.scaler_scale[j]!, `scaler scale ${j}`);
    });
  });

  it('keeps the same number of components with the same explained variance ratios', () => {
    expect(model.pca.components).toHaveLength(c.fit.components);
    c.fit.explained_variance_ratio.forEach((r, i) => {
      expect(Math.abs(model.pca.explained_variance_ratio[i]! - r), `ratio ${i}`).toBeLessThanOrEqual(1e-12);
    });
    for (const row of model.pca.components)
      expect(Math.abs(Math.hypot(...row) - 1)).toBeLessThanOrEqual(1e-12);
  });

  it('gives every analysis row the reconstruction error of scikit-learn', () => {
    const errors = reconstructionErrors(model, analysis);
    expect(errors).toHaveLength(c.analysis_row_errors.length);
    c.analysis_row_errors.forEach((e, i) => {
      close(errors[i]!, e, `row ${i}`);
    });
  });

  it('reproduces the reference and analysis chunks, thresholds and alerts', () => {
    const drift = referenceDrift(model, reference, chunker(c, reference.rows));
    expect(drift.thresholds[0] === null).toBe(c.thresholds[0] === null);
    if (c.thresholds[0] !== null) close(drift.thresholds[0]!, c.thresholds[0], 'lower threshold');
    close(drift.thresholds[1]!, c.thresholds[1], 'upper threshold');
    compareChunks(drift.reference_chunks, c.reference_chunks, 'reference chunk');
    compareChunks(analysisDrift(drift, analysis, chunker(c, analysis.rows)), c.chunks, 'chunk');
  });
});

describe('the motivating case', () => {
  it('alerts on every chunk where the tenure/total-charges relation is broken, and on none before', () => {
    const c = cases.find((x) => x.name === 'telco-like')!;
    const reference = tableOf(c.reference);
    const drift = referenceDrift(fitReconstruction(reference), reference, countChunks(reference.rows, 10));
    const chunks = analysisDrift(drift, tableOf(c.analysis), countChunks(2000, 10));
    expect(chunks.map((x) => x.alert)).toEqual([...Array(5).fill(false), ...Array(5).fill(true)]);
  });
});
