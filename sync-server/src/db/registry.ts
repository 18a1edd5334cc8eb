// The model registry: versions (card + ONNX bytes), aliases, and the append-only history of alias changes.
import type { ModelCard } from '@pmm/core/model';
import { DEFAULT_MODEL_NAME } from '@pmm/core/sync';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { type Db, type Executor, rows } from './client';
import { aliasHistory, modelAliases, models } from './schema';

export interface ModelSummary {
  readonly name: string;
  readonly version: string;
  readonly created_at: string;
  readonly registered_at: string;
  readonly registered_by: string | null;
  readonly parent_version: string | null;
  readonly training_data_sha256: string;
  readonly onnx_sha256: string;
  readonly onnx_bytes: number;
  readonly metrics: Record<string, number>;
  readonly aliases: string[];
}

export interface AliasChange {
  readonly id: string;
  readonly name: string;
  readonly alias: string;
  readonly from_version: string | null;
  readonly to_version: string | null;
  readonly actor: string;
  readonly reason: string | null;
  readonly at: string;
  readonly seq: string;
}

const summaryColumns = {
  name: models.name,
  version: models.version,
  createdAt: models.createdAt,
  registeredAt: models.registeredAt,
  registeredBy: models.registeredBy,
  parentVersion: models.parentVersion,
  trainingDataSha256: models.trainingDataSha256,
  onnxSha256: models.onnxSha256,
  onnxBytes: models.onnxBytes,
  metrics: models.metrics,
};

type SummaryRow = Pick<typeof models.$inferSelect, keyof typeof summaryColumns>;

function toSummary(row: SummaryRow, aliases: string[]): ModelSummary {
  return {
    name: row.name,
    version: row.version,
    created_at: row.createdAt.toISOString(),
    registered_at: row.registeredAt.toISOString(),
    registered_by: row.registeredBy,
    parent_version: row.parentVersion,
    training_data_sha256: row.trainingDataSha256,
    onnx_sha256: row.onnxSha256,
    onnx_bytes: row.onnxBytes,
    metrics: row.metrics,
    aliases,
  };
}

/** Stores a verified artifact; false when the version already exists (nothing is changed then). */
export async function insertModel(
  db: Db,
  card: ModelCard,
  onnx: Uint8Array,
  actor: string,
  name: string = DEFAULT_MODEL_NAME,
): Promise<boolean> {
  const inserted = await db
    .insert(models)
    .values({
      version: card.version,
      name,
      createdAt: new Date(card.created_at),
      registeredBy: actor,
      parentVersion: card.parent_version,
      trainingDataSha256: card.training_data_sha256,
      onnxSha256: card.onnx_sha256,
      onnxBytes: onnx.byteLength,
      metrics: card.metrics,
      card: card as unknown as Record<string, unknown>,
      onnx,
    })
    .onConflictDoNothing({ target: models.version })
    .returning({ version: models.version });
  return inserted.length === 1;
}

async function aliasesByVersion(db: Db, version?: string): Promise<Map<string, string[]>> {
  const query = db
    .select({ alias: modelAliases.alias, version: modelAliases.version })
    .from(modelAliases)
    .orderBy(asc(modelAliases.alias));
  const found = version === undefined ? await query : await query.where(eq(modelAliases.version, version));
  const map = new Map<string, string[]>();
  for (const row of found) map.set(row.version, [...(map.get(row.version) ?? []), row.alias]);
  return map;
}

/** Versions, newest first (of one name, or of every name). */
export async function listModels(db: Db, name?: string): Promise<ModelSummary[]> {
  const query = db.select(summaryColumns).from(models).orderBy(desc(models.createdAt), desc(models.version));
  const [found, aliases] = await Promise.all([
    name === undefined ? query : query.where(eq(models.name, name)),
    aliasesByVersion(db),
  ]);
  return found.map((row) => toSummary(row, aliases.get(row.version) ?? []));
}

export async function getModel(
  db: Db,
  version: string,
): Promise<{ summary: ModelSummary; card: Record<string, unknown> } | null> {
  const [row] = await db
    .select({ ...summaryColumns, card: models.card })
    .from(models)
    .where(eq(models.version, version));
  if (!row) return null;
  const aliases = await aliasesByVersion(db, version);
  return { summary: toSummary(row, aliases.get(version) ?? []), card: row.card };
}

export async function getArtifact(
  db: Db,
  version: string,
): Promise<{ onnx: Uint8Array; sha256: string } | null> {
  const [row] = await db
    .select({ onnx: models.onnx, sha256: models.onnxSha256 })
    .from(models)
    .where(eq(models.version, version));
  return row ? { onnx: row.onnx, sha256: row.sha256 } : null;
}

/** The version `alias` of model `name` points at, or null. */
export async function resolveAlias(
  db: Executor,
  alias: string,
  name: string = DEFAULT_MODEL_NAME,
): Promise<string | null> {
  const [row] = await rows<{ version: string }>(
    db,
    sql`select version from model_aliases where name = ${name} and alias = ${alias}`,
  );
  return row?.version ?? null;
}

/** A version's model.json `origin` (who made it), or null when absent or not registered. */
export async function modelOrigin(db: Executor, version: string): Promise<Record<string, unknown> | null> {
  const [row] = await rows<{ origin: Record<string, unknown> | string | null }>(
    db,
    sql`select card->'origin' as origin from models where version = ${version}`,
  );
  const origin = row?.origin ?? null;
  return typeof origin === 'string' ? (JSON.parse(origin) as Record<string, unknown>) : origin;
}

/** The model name a version was registered under, or null when it is not registered. */
export async function modelNameOf(db: Executor, version: string): Promise<string | null> {
  const [row] = await rows<{ name: string }>(db, sql`select name from models where version = ${version}`);
  return row?.name ?? null;
}

/** The name and card of each registered version among `versions` (unknown ones are left out). */
export async function cardsOf(
  db: Executor,
  versions: readonly string[],
): Promise<Map<string, { name: string; card: ModelCard }>> {
  if (versions.length === 0) return new Map();
  const found = await rows<{ version: string; name: string; card: ModelCard }>(
    db,
    sql`select version, name, card from models where version = any(${sql.param([...versions])}::text[])`,
  );
  return new Map(found.map((r) => [r.version, { name: r.name, card: r.card }]));
}

/** Every name with a `production` alias and that version, by name (what the edges serve). */
export async function servedModels(db: Executor): Promise<{ name: string; version: string }[]> {
  return rows<{ name: string; version: string }>(
    db,
    sql`select name, version from model_aliases where alias = 'production' order by name`,
  );
}

/** The registered model names, in order. */
export async function modelNames(db: Executor): Promise<string[]> {
  const found = await rows<{ name: string }>(db, sql`select distinct name from models order by name`);
  return found.map((r) => r.name);
}

/** Current aliases (of one name, or of every name). */
export async function listAliases(db: Db, name?: string) {
  const query = db.select().from(modelAliases).orderBy(asc(modelAliases.name), asc(modelAliases.alias));
  const found = name === undefined ? await query : await query.where(eq(modelAliases.name, name));
  return found.map((r) => ({
    name: r.name,
    alias: r.alias,
    version: r.version,
    updated_at: r.updatedAt.toISOString(),
  }));
}

export async function aliasHistoryPage(
  db: Db,
  options: { name?: string; alias?: string; limit: number },
): Promise<AliasChange[]> {
  const filters = [
    ...(options.name === undefined ? [] : [eq(aliasHistory.name, options.name)]),
    ...(options.alias === undefined ? [] : [eq(aliasHistory.alias, options.alias)]),
  ];
  const found = await db
    .select()
    .from(aliasHistory)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(desc(aliasHistory.id))
    .limit(options.limit);
  return found.map((r) => ({
    id: String(r.id),
    name: r.name,
    alias: r.alias,
    from_version: r.fromVersion,
    to_version: r.toVersion,
    actor: r.actor,
    reason: r.reason,
    at: r.at.toISOString(),
    seq: r.seq,
  }));
}

export interface StoredResponse {
  readonly requestSha256: string;
  readonly status: number;
  readonly response: unknown;
}

export async function findIdempotent(
  db: Executor,
  scope: string,
  key: string,
): Promise<StoredResponse | null> {
  const [row] = await rows<{ request_sha256: string; status: number; response: unknown }>(
    db,
    sql`select request_sha256, status, response from idempotency_keys where scope = ${scope} and key = ${key}`,
  );
  return row ? { requestSha256: row.request_sha256, status: row.status, response: row.response } : null;
}

export async function storeIdempotent(db: Executor, scope: string, key: string, stored: StoredResponse) {
  await db.execute(sql`insert into idempotency_keys (scope, key, request_sha256, status, response)
    values (${scope}, ${key}, ${stored.requestSha256}, ${stored.status}, ${JSON.stringify(stored.response)}::jsonb)
    on conflict do nothing`);
}

export async function modelExists(db: Executor, version: string): Promise<boolean> {
  const found = await rows(db, sql`select 1 from models where version = ${version}`);
  return found.length > 0;
}

/** Serialises changes to one alias of one name inside the current transaction (PostgreSQL advisory lock). */
export async function lockAlias(
  db: Executor,
  alias: string,
  name: string = DEFAULT_MODEL_NAME,
): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`pmm-alias:${name}:${alias}`}))`);
}

/** Serialises work on one key (not an alias: e.g. an Idempotency-Key) inside the current transaction. */
export async function lockKey(db: Executor, key: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
}

export async function appendAliasHistory(
  db: Executor,
  change: {
    name?: string;
    alias: string;
    from: string | null;
    to: string | null;
    actor: string;
    reason: string | null;
  },
): Promise<AliasChange> {
  const name = change.name ?? DEFAULT_MODEL_NAME;
  const [row] = await rows<Record<string, string | null>>(
    db,
    sql`insert into alias_history (name, alias, from_version, to_version, actor, reason)
        values (${name}, ${change.alias}, ${change.from}, ${change.to}, ${change.actor}, ${change.reason})
        returning id::text as id, seq::text as seq, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at`,
  );
  return {
    id: row!.id!,
    name,
    alias: change.alias,
    from_version: change.from,
    to_version: change.to,
    actor: change.actor,
    reason: change.reason,
    at: row!.at!,
    seq: row!.seq!,
  };
}

export async function pointAlias(
  db: Executor,
  alias: string,
  version: string,
  name: string = DEFAULT_MODEL_NAME,
): Promise<void> {
  await db.execute(sql`insert into model_aliases (name, alias, version) values (${name}, ${alias}, ${version})
    on conflict (name, alias) do update set version = excluded.version, updated_at = now()`);
}

export async function dropAlias(
  db: Executor,
  alias: string,
  name: string = DEFAULT_MODEL_NAME,
): Promise<void> {
  await db.execute(sql`delete from model_aliases where name = ${name} and alias = ${alias}`);
}

/** The history reason of a challenger alias cleared by the promotion of its version. */
export const CHALLENGER_PROMOTED_REASON = 'promoted to production: a model is not its own challenger';

/**
 * After production of `name` moved to `version`: if its challenger alias points at that version too, it is removed and
 * the removal recorded (by the same actor), so "challenger vs production" never compares a model with itself.
 * Returns that history row, or null when the challenger pointed elsewhere (or nowhere).
 */
export async function retireChallenger(
  db: Executor,
  version: string,
  actor: string,
  name: string = DEFAULT_MODEL_NAME,
): Promise<AliasChange | null> {
  await lockAlias(db, 'challenger', name);
  if ((await resolveAlias(db, 'challenger', name)) !== version) return null;
  await dropAlias(db, 'challenger', name);
  return appendAliasHistory(db, {
    name,
    alias: 'challenger',
    from: version,
    to: null,
    actor,
    reason: CHALLENGER_PROMOTED_REASON,
  });
}
