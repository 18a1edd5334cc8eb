// Reads shape pages from PGlite or PostgreSQL: raw SQL on the driver underneath drizzle, a safe seq horizon, handles.
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/client';
import { shapeNotifier } from './notifier';
import type { ShapeTable, TableSpec } from './tables';

/** The least a shape needs from a driver: run SQL with positional text parameters. */
export interface ShapeSql {
  readonly kind: 'pglite' | 'postgres';
  query<T>(text: string, params: readonly unknown[]): Promise<T[]>;
}

interface PgliteLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}
interface PostgresLike {
  unsafe(text: string, params?: unknown[]): PromiseLike<unknown[]>;
}

/** Wraps the driver client under a drizzle database (`db.$client`): a PGlite instance or a postgres-js `Sql`. */
export function shapeSqlFor(database: { kind: 'pglite' | 'postgres'; db: unknown }): ShapeSql {
  const client = (database.db as { $client?: unknown }).$client;
  if (!client) throw new Error('shapes: the drizzle database exposes no $client');
  if (database.kind === 'postgres') {
    const sql = client as PostgresLike;
    return {
      kind: 'postgres',
      query: async <T>(text: string, params: readonly unknown[]) =>
        (await sql.unsafe(text, [...params])) as T[],
    };
  }
  const pg = client as PgliteLike;
  return {
    kind: 'pglite',
    query: async <T>(text: string, params: readonly unknown[]) =>
      (await pg.query(text, [...params])).rows as T[],
  };
}

export const MAX_SEQ = 9223372036854775807n;

interface Pending {
  readonly h: bigint;
  readonly writers: Set<string>;
}

/**
 * The highest seq below which every row has been committed (or rolled back), on PostgreSQL with several
 * connections. `sync_seq` values are taken inside transactions that commit in any order: a reader that
 * passed seq 600 (committed) while 150 was still in flight would never send 150. Every writer of a table
 * holds RowExclusiveLock on it from before it draws a seq until it ends, so a value `h` of `sync_seq`
 * read before listing those lock holders is safe once all of the holders listed have ended.
 */
export class SeqHorizon {
  #safe = 0n;
  #pending: Pending[] = [];

  /** Feeds one observation (`sync_seq.last_value`, then the writers in flight); returns the safe horizon. */
  observe(h: bigint, writers: readonly string[]): bigint {
    const live = new Set(writers);
    const pending: Pending[] = [];
    for (const p of this.#pending) {
      if ([...p.writers].some((w) => live.has(w))) pending.push(p);
      else if (p.h > this.#safe) this.#safe = p.h;
    }
    if (live.size === 0) {
      if (h > this.#safe) this.#safe = h;
    } else if (h > this.#safe) {
      pending.push({ h, writers: live });
    }
    // Bounded: under constant load the oldest observations are the ones that matter.
    this.#pending = pending.length > 256 ? pending.slice(0, 128).concat(pending.slice(-128)) : pending;
    return this.#safe;
  }
}

/** Per-table handle epochs rotated by this process (see `ShapeStore`). */
const epochs = new Map<ShapeTable, string>();

/** The table (migration 0002) keeping rotated epochs across restarts and processes. */
export const EPOCH_TABLE = 'shape_epochs';

/**
 * Retires `table`'s current handle: clients holding it get a 409 with the new handle and refetch from scratch.
 * Call after deleting rows (a seq log cannot carry deletes); tests call it to force a `must-refetch`.
 * With `database`, the new epoch is also stored in `shape_epochs`, so a restart does not hand out the
 * retired handle again.
 */
export async function rotateShapeHandle(
  table: ShapeTable,
  database?: Pick<Database, 'kind' | 'db'>,
): Promise<string> {
  const epoch = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  epochs.set(table, epoch);
  if (database) {
    await shapeSqlFor(database).query(
      `insert into public.${EPOCH_TABLE} (table_name, epoch) values ($1, $2)
       on conflict (table_name) do update set epoch = excluded.epoch`,
      [table, epoch],
    );
  }
  // Live requests holding the old handle answer 409 now rather than at their timeout.
  shapeNotifier.notify(table);
  return epoch;
}

export interface ShapeState {
  readonly handle: string;
  /** Rows with seq <= horizon may be sent. */
  readonly horizon: bigint;
}

export interface Page {
  readonly rows: number;
  /** seq of the last row, or null for an empty page. */
  readonly last: bigint | null;
  /** The messages, comma-separated, without brackets. */
  readonly body: string;
}

/**
 * Handles: `<relfilenode>-<epoch>`. TRUNCATE (or VACUUM FULL) gives a table a new relfilenode, so a client
 * that synced the old rows is told to refetch; `rotateShapeHandle` does the same on demand.
 * The epoch is the one this process rotated to, else the one stored in `shape_epochs`, else `0`; each
 * rotation takes a fresh random one, so a retired handle is not issued again.
 */
export class ShapeStore {
  readonly #sql: ShapeSql;
  readonly #horizons = new Map<ShapeTable, SeqHorizon>();

  constructor(sql: ShapeSql) {
    this.#sql = sql;
  }

  get kind(): 'pglite' | 'postgres' {
    return this.#sql.kind;
  }

  async state(table: ShapeTable): Promise<ShapeState> {
    const rel = `'public.${table}'::regclass`;
    const stored = `(select epoch from public.${EPOCH_TABLE} where table_name = '${table}')`;
    if (this.#sql.kind === 'pglite') {
      // One connection: transactions never interleave, every committed seq is safe.
      const [row] = await this.#sql.query<{ node: string; epoch: string | null }>(
        `select pg_relation_filenode(${rel})::text as node, ${stored} as epoch`,
        [],
      );
      return { handle: `${row!.node}-${epochs.get(table) ?? row!.epoch ?? '0'}`, horizon: MAX_SEQ };
    }
    // `h` is read before the lock list (the lateral subquery runs per row of `s`).
    const [row] = await this.#sql.query<{
      node: string;
      epoch: string | null;
      h: string;
      writers: string[] | null;
    }>(
      `select pg_relation_filenode(${rel})::text as node, ${stored} as epoch, s.h::text as h,
        (select array_agg(distinct l.virtualtransaction) from pg_locks l
          where l.locktype = 'relation' and l.relation = ${rel} and l.mode = 'RowExclusiveLock'
            and l.pid <> pg_backend_pid() and s.h is not null) as writers
       from (select last_value as h from public.sync_seq) s`,
      [],
    );
    let horizon = this.#horizons.get(table);
    if (!horizon) {
      horizon = new SeqHorizon();
      this.#horizons.set(table, horizon);
    }
    const epoch = epochs.get(table) ?? row!.epoch ?? '0';
    return { handle: `${row!.node}-${epoch}`, horizon: horizon.observe(BigInt(row!.h), row!.writers ?? []) };
  }

  /** The newest seq in `table` (0 when empty): where `offset=now` starts. */
  async maxSeq(table: ShapeTable): Promise<bigint> {
    const [row] = await this.#sql.query<{ m: string }>(
      `select coalesce(max(seq), 0)::text as m from "${table}"`,
      [],
    );
    return BigInt(row?.m ?? '0');
  }

  /** Rows in the table now (for the `pmm-total-rows` header of an initial sync). */
  async count(table: ShapeTable): Promise<number> {
    const [row] = await this.#sql.query<{ n: string }>(`select count(*)::text as n from "${table}"`, []);
    return Number(row?.n ?? '0');
  }

  async page(spec: TableSpec, cursor: bigint, horizon: bigint, limit: number): Promise<Page> {
    const [row] = await this.#sql.query<{ n: number; last: string | null; body: string }>(spec.pageSql, [
      cursor.toString(),
      horizon.toString(),
      limit,
    ]);
    return {
      rows: Number(row?.n ?? 0),
      last: row?.last == null ? null : BigInt(row.last),
      body: row?.body ?? '',
    };
  }
}
