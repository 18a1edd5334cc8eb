// A registered version's profile layout (derived from its model.json, so the centre bins as every edge does),
// and `model=` resolved to a version: a version as is, or a model name through its production alias.
import { type ModelCard, modelSchemaOf } from '@pmm/core/model';
import { type ProfileSpec, profileSpecFromReference } from '@pmm/core/profile';
import { sql } from 'drizzle-orm';
import { type Executor, rows } from '../db/client';
import { resolveAlias } from '../db/registry';

/** Today's single model name: the registry keeps one model whose `production` alias is its current version. */
export const DEFAULT_MODEL_NAME = 'churn';

export interface VersionLayout {
  readonly card: ModelCard;
  /** null when the card cannot give a layout (the reason in `problem`). */
  readonly spec: ProfileSpec | null;
  readonly problem: string | null;
}

// Cards never change once registered, so a version's layout is computed once per process.
const layouts = new Map<string, VersionLayout>();

/** The layout of a registered version, or null when the version is unknown. */
export async function versionLayout(db: Executor, version: string): Promise<VersionLayout | null> {
  const cached = layouts.get(version);
  if (cached) return cached;
  const [row] = await rows<{ card: ModelCard | string }>(
    db,
    sql`select card from models where version = ${version}`,
  );
  if (!row) return null;
  const card = (typeof row.card === 'string' ? JSON.parse(row.card) : row.card) as ModelCard;
  let layout: VersionLayout;
  try {
    const spec = profileSpecFromReference(version, card.reference_profile, modelSchemaOf(card).features);
    layout = { card, spec, problem: null };
  } catch (error) {
    layout = { card, spec: null, problem: (error as Error).message };
  }
  if (layouts.size > 256) layouts.clear();
  layouts.set(version, layout);
  return layout;
}

/**
 * `model=` as a registered version, else as a model name resolved through the production alias. The
 * registry holds one model today (named 'churn'); once it keys versions by name (migration 0005,
 * `models.name`), a name resolves to that name's production version, and any other name is unknown.
 */
export async function resolveModel(db: Executor, model: string): Promise<string | null> {
  const [version] = await rows<{ version: string }>(
    db,
    sql`select version from models where version = ${model}`,
  );
  if (version) return version.version;
  const hasNames = await rows<{ found: boolean }>(
    db,
    sql`select exists (select 1 from information_schema.columns
        where table_name = 'models' and column_name = 'name' and table_schema = current_schema()) as found`,
  );
  if (hasNames[0]?.found) {
    // Per-name registry: the production alias of that name, where aliases are kept per name.
    const named = await rows<{ version: string }>(
      db,
      sql`select m.version from models m join model_aliases a on a.version = m.version
          where m.name = ${model} and a.alias = 'production' limit 1`,
    );
    if (named[0]) return named[0].version;
    return null;
  }
  if (model !== DEFAULT_MODEL_NAME) return null;
  return resolveAlias(db, 'production');
}
