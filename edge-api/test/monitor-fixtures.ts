// A monitored model for the monitor tests: the fixtures' logistic model with a reference profile and holdout
// predictions in its card, and seeded traffic drawn from its schema (calm: as the reference; shifted: numbers in
// the upper half of their span and every categorical at its last category).
import type { ModelCard } from '@pmm/core/model';
import { createLitePredictor } from '@pmm/core/onnx';
import { FEATURES, type FeatureRecord } from '@pmm/core/schema';
import { type Artifact, artifact } from './fixtures';

/** A seeded uniform generator in [0, 1) (LCG, Numerical Recipes constants). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `n` rows of the schema's features; `shifted` moves every feature at once. */
export function traffic(n: number, seed: number, shifted = false): FeatureRecord[] {
  const random = seeded(seed);
  return Array.from({ length: n }, () => {
    const row: Record<string, string | number> = {};
    for (const f of FEATURES) {
      if (f.kind === 'categorical') {
        row[f.name] = shifted
          ? f.categories[f.categories.length - 1]!
          : f.categories[Math.floor(random() * f.categories.length)]!;
      } else {
        const span = Math.min(f.max - f.min, 100);
        const u = shifted ? 0.5 + 0.5 * random() : random();
        const x = f.min + u * span;
        row[f.name] = f.integer ? Math.round(x) : Math.round(x * 100) / 100;
      }
    }
    return row as FeatureRecord;
  });
}

/** model.json's reference profile of rows: sorted values per numerical feature, counts per categorical one. */
function referenceProfile(rows: readonly FeatureRecord[]): ModelCard['reference_profile'] {
  const columns: Record<string, ModelCard['reference_profile']['columns'][string]> = {};
  for (const f of FEATURES) {
    const values = rows.map((r) => (r as Record<string, string | number>)[f.name]!);
    if (f.kind === 'numerical') {
      columns[f.name] = {
        type: 'numerical',
        values: (values as number[]).slice().sort((a, b) => a - b),
        missing: 0,
      };
    } else {
      const counts: Record<string, number> = {};
      for (const v of [...(values as string[])].sort()) counts[v] = (counts[v] ?? 0) + 1;
      columns[f.name] = { type: 'categorical', counts, missing: 0 };
    }
  }
  return { rows: rows.length, columns };
}

/** The fixtures' model as `version`, with 2,000 calm reference rows and their scores and (drawn) outcomes. */
export async function monitoredArtifact(version: string): Promise<Artifact> {
  const a = await artifact(version);
  const reference = traffic(2000, 1);
  const scores = Array.from(await (await createLitePredictor(a.onnx)).predict(reference));
  const random = seeded(2);
  const targets = scores.map((s) => (random() < s ? 1 : 0) as 0 | 1);
  return {
    onnx: a.onnx,
    card: {
      ...a.card,
      reference_profile: referenceProfile(reference),
      reference_predictions: { scores, targets },
    },
  };
}
