// A model's profile layout and scored rows: what `pmm profile build` and `pmm drift --model` share.
import { type ModelCard, modelSchemaOf } from '@pmm/core/model';
import { type ProfileSpec, profileSpecFromReference } from '@pmm/core/profile';
import { CliError } from './cli-error';

/** The frozen layout every profile of this model uses (derived from model.json, so every edge agrees). */
export function modelProfileSpec(card: ModelCard): ProfileSpec {
  const schema = modelSchemaOf(card);
  try {
    return profileSpecFromReference(card.version, card.reference_profile, schema.features);
  } catch (error) {
    if (error instanceof RangeError) throw new CliError(`model ${card.version}: ${error.message}`);
    throw error;
  }
}
