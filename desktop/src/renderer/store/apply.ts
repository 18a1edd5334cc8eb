// Applies a batch of shape-log operations to one table and records the stream position, in one transaction.
import Dexie from 'dexie';
import { appendToBlocks, refreshBlocks } from './blocks';
import {
  type PmmDb,
  PRIMARY_KEYS,
  type SyncedTable,
  type SyncStateRow,
  TIME_COLUMNS,
  timestampMs,
} from './db';

export type RowOperation =
  | { readonly op: 'insert' | 'update'; readonly value: Record<string, unknown> }
  | { readonly op: 'delete'; readonly value: Record<string, unknown> };

export interface StreamPosition {
  readonly handle: string | null;
  readonly offset: string;
  /** The server said the table is up to date after this batch. */
  readonly upToDate?: boolean;
}

function withTs(table: SyncedTable, row: Record<string, unknown>): Record<string, unknown> {
  const column = TIME_COLUMNS[table];
  return column in row ? { ...row, ts: timestampMs(row[column]) } : row;
}

/**
 * Writes `ops` (in order) to `table` and, when `position` is given, the stream's handle and offset — all in
 * one Dexie transaction, so after a crash either both are stored or neither is. Updates merge into the
 * stored row (a shape update may carry only the changed columns). Replaying a batch is harmless: inserts
 * and updates are upserts by primary key and deleting a missing row does nothing.
 */
export async function applyOperations(
  db: PmmDb,
  table: SyncedTable,
  ops: readonly RowOperation[],
  position: StreamPosition | null,
  now: number = Date.now(),
): Promise<SyncStateRow | null> {
  const pk = PRIMARY_KEYS[table];
  const target = db.synced(table);
  const blocks = table === 'predictions';
  const tables = blocks ? [target, db.sync_state, db.feature_blocks] : [target, db.sync_state];
  return db.transaction('rw', tables, async () => {
    // Resolve the batch in memory (last write wins per key), then write it with two bulk calls.
    const result = new Map<unknown, Record<string, unknown> | null>();
    const needBase = new Set<unknown>();
    for (const { op, value } of ops) {
      if (op === 'update' && !result.has(value[pk])) needBase.add(value[pk]);
    }
    /** Keys of rows stored before this batch (their blocks must be rebuilt). */
    const existed = new Set<unknown>();
    if (needBase.size > 0) {
      const keys = [...needBase];
      const stored = await target.bulkGet(keys);
      keys.forEach((k, i) => {
        const row = stored[i];
        if (row) {
          result.set(k, row);
          existed.add(k);
        }
      });
    }
    for (const { op, value } of ops) {
      const key = value[pk];
      if (key === undefined || key === null) continue;
      if (op === 'delete') result.set(key, null);
      else if (op === 'insert') result.set(key, withTs(table, value));
      else result.set(key, withTs(table, { ...(result.get(key) ?? {}), ...value }));
    }
    const puts: Record<string, unknown>[] = [];
    const deletes: unknown[] = [];
    for (const [key, row] of result) {
      if (row) puts.push(row);
      else deletes.push(key);
    }
    if (blocks) {
      // Rows new to the store are appended to the column blocks; rows that were stored already (updates,
      // replayed inserts, deletes) get their blocks rebuilt. `bulkAdd` tells new rows from stored ones for free.
      const known: Record<string, unknown>[] = [];
      const fresh: Record<string, unknown>[] = [];
      for (const row of puts) (existed.has(row[pk]) ? known : fresh).push(row);
      const added: Record<string, unknown>[] = [];
      if (fresh.length > 0) {
        const failed = new Set<number>();
        await target.bulkAdd(fresh).catch((error: unknown) => {
          if (!(error instanceof Dexie.BulkError)) throw error;
          for (const pos of Object.keys(error.failuresByPos)) failed.add(Number(pos));
        });
        fresh.forEach((row, i) => {
          if (failed.has(i)) {
            known.push(row);
            existed.add(row[pk]);
          } else added.push(row);
        });
      }
      if (known.length > 0) await target.bulkPut(known);
      if (deletes.length > 0) await target.bulkDelete(deletes);
      await appendToBlocks(db, added);
      await refreshBlocks(db, new Set([...existed, ...deletes].map(String)));
    } else {
      if (puts.length > 0) await target.bulkPut(puts);
      if (deletes.length > 0) await target.bulkDelete(deletes);
    }
    if (!position) return null;
    const previous = await db.sync_state.get(table);
    const state: SyncStateRow = {
      table,
      handle: position.handle,
      offset: position.offset,
      rows: await target.count(),
      updated_at: now,
      up_to_date_at: position.upToDate ? now : (previous?.up_to_date_at ?? null),
    };
    await db.sync_state.put(state);
    return state;
  });
}

/** The server asked for a refetch: drop the table's rows and its position together. */
export async function resetTable(db: PmmDb, table: SyncedTable, now: number = Date.now()): Promise<void> {
  const target = db.synced(table);
  const tables =
    table === 'predictions' ? [target, db.sync_state, db.feature_blocks] : [target, db.sync_state];
  await db.transaction('rw', tables, async () => {
    await target.clear();
    if (table === 'predictions') await db.feature_blocks.clear();
    await db.sync_state.put({
      table,
      handle: null,
      offset: '-1',
      rows: 0,
      updated_at: now,
      up_to_date_at: null,
    });
  });
}
