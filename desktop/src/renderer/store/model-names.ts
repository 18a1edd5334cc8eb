// Registered model names in the local store: a model row's `name` (the centre's `models.name`; a row without one is
// the default model, `churn`), the names for the picker, and one name's versions and alias history.
import { DEFAULT_MODEL_NAME } from '@pmm/core/sync';
import type { AliasHistoryRow, ModelRow } from './db';

export { DEFAULT_MODEL_NAME };

/** The registered name of a model row (or of any row that may carry a `name`). */
export function modelNameOf(row: { readonly [column: string]: unknown }): string {
  const name = row['name'];
  return typeof name === 'string' && name !== '' ? name : DEFAULT_MODEL_NAME;
}

/** The names for the picker: the default model first when present, the others sorted. */
export function modelNames(models: readonly ModelRow[]): string[] {
  const names = [...new Set(models.map(modelNameOf))].sort();
  const i = names.indexOf(DEFAULT_MODEL_NAME);
  if (i > 0) names.unshift(...names.splice(i, 1));
  return names;
}

/** The name to show: the stored choice when the store has it, else `churn`, else the first name. */
export function pickModelName(names: readonly string[], stored: string | null): string {
  if (stored !== null && names.includes(stored)) return stored;
  if (names.includes(DEFAULT_MODEL_NAME) || names.length === 0) return DEFAULT_MODEL_NAME;
  return names[0]!;
}

/** The versions registered under `name`. */
export function versionsOfName(models: readonly ModelRow[], name: string): Set<string> {
  return new Set(models.filter((m) => modelNameOf(m) === name).map((m) => m.version));
}

/**
 * The alias history of `name`: rows that carry the name, or (rows without one) by the version the alias moved to,
 * else the one it left (a cleared alias); a row naming no known version goes with the default model.
 */
export function historyOfName(
  history: readonly AliasHistoryRow[],
  models: readonly ModelRow[],
  name: string,
): AliasHistoryRow[] {
  const nameOf = new Map(models.map((m) => [m.version, modelNameOf(m)]));
  return history.filter((h) => {
    const row = h as unknown as { readonly [column: string]: unknown };
    if (typeof row['name'] === 'string') return modelNameOf(row) === name;
    const version = [h.to_version, h.from_version].find((v) => v !== null && nameOf.has(v));
    return (version ? nameOf.get(version) : DEFAULT_MODEL_NAME) === name;
  });
}
