// A model card's schema: the `schema` field, or for an older model.json one derived from its other fields.
import { TELCO_SCHEMA } from '../data/telco-schema';
import type { ModelSchema, SchemaFeature } from '../schema/model-schema';
import type { ModelCard } from './artifact-types';

type Profile = ModelCard['reference_profile'];

function rangeOf(profile: Profile, name: string): { min: number; max: number } | null {
  const column = profile.columns[name];
  if (column?.type !== 'numerical' || column.values.length === 0) return null;
  // Profiles store values sorted, but do not rely on it.
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of column.values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

const sawMissing = (profile: Profile, name: string) => (profile.columns[name]?.missing ?? 0) > 0;

/**
 * The schema of a model card. Cards written before the schema existed carry only `feature_schema`
 * (names, kinds, categories) and the reference profile: they were all the Telco demo's, so a card whose
 * features are the demo's gets the demo's schema (closed sets, bounds, its target) with the training
 * ranges from the profile; any other gets closed categories (what older validators enforced), ranges
 * and "missing allowed" from the profile, and the demo's target (the only one older cards knew).
 */
export function modelSchemaOf(card: ModelCard): ModelSchema {
  if (card.schema) return card.schema;
  const profile = card.reference_profile;
  const names = card.feature_schema.map((f) => f.name);
  const isDemo =
    names.length === TELCO_SCHEMA.features.length &&
    TELCO_SCHEMA.features.every((f, i) => f.name === names[i]);
  const features: SchemaFeature[] = isDemo
    ? TELCO_SCHEMA.features.map((f) =>
        f.kind === 'numerical' ? { ...f, range: rangeOf(profile, f.name) } : f,
      )
    : card.feature_schema.map((f) =>
        f.kind === 'categorical'
          ? {
              name: f.name,
              kind: 'categorical',
              categories: [...(f.categories ?? [])],
              closed: true,
              missing: { allowed: sawMissing(profile, f.name), treatment: 'unknown_category' },
            }
          : {
              name: f.name,
              kind: 'numerical',
              range: rangeOf(profile, f.name),
              integer: false,
              missing: { allowed: sawMissing(profile, f.name), treatment: 'impute', value: null },
            },
      );
  if (isDemo) return { ...TELCO_SCHEMA, features };
  const { id_column: _demoId, ...demo } = TELCO_SCHEMA;
  return { ...demo, features };
}
