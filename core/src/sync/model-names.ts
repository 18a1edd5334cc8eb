// Registered model names, as in MLflow's registry: one rule for what a name may be, shared by the
// centre (registry), the edge (serving several models) and the CLI (`pmm models`).
import { z } from 'zod';

/** The name a model gets when none is given; the built-in Telco demo registers under it. */
export const DEFAULT_MODEL_NAME = 'churn';

/** Lower-case letters, digits, `-` and `_`, starting with a letter: safe in URLs, KV keys and SQL text. */
export const MODEL_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

export const modelNameSchema = z
  .string()
  .regex(
    MODEL_NAME_PATTERN,
    'a model name is 1–64 lower-case letters, digits, "-" or "_", starting with a letter',
  );

/** The reason `name` is not a valid model name, or null when it is. */
export function modelNameProblem(name: string): string | null {
  return MODEL_NAME_PATTERN.test(name)
    ? null
    : `"${name}" is not a model name: use 1–64 lower-case letters, digits, "-" or "_", starting with a letter`;
}

/** `GET {SYNC_URL}/v1/served-models`: every name with a `production` alias and its version. */
export const SERVED_MODELS_PATH = '/v1/served-models';

export const servedModelsResponseSchema = z.object({
  models: z.array(z.object({ name: modelNameSchema, version: z.string().min(1) })),
});
export type ServedModels = z.infer<typeof servedModelsResponseSchema>;

/** `GET {SYNC_URL}/v1/registry/{name}/@{alias}`: the model card an alias of a name points at. */
export const namedAliasPath = (name: string, alias: string): string =>
  `/v1/registry/${encodeURIComponent(name)}/@${encodeURIComponent(alias)}`;
