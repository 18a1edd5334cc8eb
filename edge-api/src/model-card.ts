// Validation of a pushed or pulled model.json: core's one ModelCard schema, so the edge accepts what training writes.
import { type ModelCard, modelCardSchema } from '@pmm/core/model';
import type { z } from 'zod';

export { modelCardSchema };

export function parseModelCard(value: unknown): z.ZodSafeParseResult<ModelCard> {
  return modelCardSchema.safeParse(value);
}
