// A columnar copy of the prediction log for analysis: `feature_blocks` holds the synced prediction rows in
// blocks of up to BLOCK_ROWS rows as typed arrays, written in the same transaction as the rows themselves.
// IndexedDB clones typed arrays as binary, so the worker reads 100k rows worth of blocks in tens of
// milliseconds instead of deserialising 100k nested objects. Every stored prediction is in exactly one block.
import type { Transaction } from 'dexie';
import type { FeatureValues, PmmDb, PredictionRow } from './db';
import type { WindowSpec } from './window-spec';

/** Rows per block at most: appends fill the newest block up to this size. */
export const BLOCK_ROWS = 5000;

/** Tags of a feature cell (`BlockColumn.tag`); 3 + k is the string `strings[k]`. */
export const TAG_NUMBER = 0;
export const TAG_ABSENT = 1;
export const TAG_NULL = 2;
export const TAG_STRING = 3;

/** One feature of a block: numbers as doubles, other cells tagged. */
export interface BlockColumn {
  /** Per row the number when the cell is a number (NaN otherwise); null when no cell is a number. */
  readonly num: Float64Array | null;
  /** Per row the cell's tag; null when every cell is a number. */
  readonly tag: Uint16Array | Uint32Array | null;
  /** The distinct strings of the column, in order of first appearance. */
  readonly strings: readonly string[];
}

export interface FeatureBlock {
  /** Auto-increment, never reused: a rewritten block gets a new id, so the set of ids names the content. */
  id?: number;
  rows: number;
  /** Prediction ids in block order, joined by "\n". */
  ids: string;
  /** `ts` per row (NaN when absent). */
  ts: Float64Array;
  /** Codes into `models` / `nodes`; -1 where the value is not a string. */
  model: Int32Array;
  models: string[];
  node: Int32Array;
  nodes: string[];
  probability: Float64Array;
  /** Features by name, in order of first appearance. */
  columns: Record<string, BlockColumn>;
  /** Some row cannot be held exactly (e.g. a feature that is not a string, number or null): read the rows. */
  irregular: boolean;
}

const dictCode = (dict: string[], index: Map<string, number>, value: unknown): number => {
  if (typeof value !== 'string') return -1;
  let code = index.get(value);
  if (code === undefined) {
    code = dict.length;
    dict.push(value);
    index.set(value, code);
  }
  return code;
};

/** Rows as one block (at most 65533 distinct strings per column; BLOCK_ROWS keeps far below). */
export function encodeBlock(rows: readonly Readonly<Record<string, unknown>>[]): FeatureBlock {
  const n = rows.length;
  const ts = new Float64Array(n);
  const model = new Int32Array(n);
  const node = new Int32Array(n);
  const probability = new Float64Array(n);
  const models: string[] = [];
  const nodes: string[] = [];
  const modelIndex = new Map<string, number>();
  const nodeIndex = new Map<string, number>();
  const ids: string[] = [];
  let irregular = false;
  type Builder = { num: Float64Array; tag: Uint16Array; strings: string[]; index: Map<string, number> };
  const builders = new Map<string, Builder>();
  const builder = (name: string): Builder => {
    let b = builders.get(name);
    if (!b) {
      b = {
        num: new Float64Array(n).fill(Number.NaN),
        tag: new Uint16Array(n).fill(TAG_ABSENT),
        strings: [],
        index: new Map(),
      };
      builders.set(name, b);
    }
    return b;
  };
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const id = row['prediction_id'];
    if (typeof id !== 'string' || id.includes('\n')) irregular = true;
    ids.push(String(id));
    const t = row['ts'];
    ts[i] = typeof t === 'number' ? t : Number.NaN;
    if (t !== undefined && typeof t !== 'number') irregular = true;
    model[i] = dictCode(models, modelIndex, row['model_version']);
    node[i] = dictCode(nodes, nodeIndex, row['node_id']);
    const p = row['probability'];
    probability[i] = typeof p === 'number' ? p : Number.NaN;
    const features = row['features'];
    if (features === null || typeof features !== 'object' || Array.isArray(features)) {
      irregular = true;
      continue;
    }
    for (const [name, value] of Object.entries(features as Record<string, unknown>)) {
      const b = builder(name);
      if (typeof value === 'number') {
        b.num[i] = value;
        b.tag[i] = TAG_NUMBER;
      } else if (value === null) b.tag[i] = TAG_NULL;
      else if (typeof value === 'string') {
        let k = b.index.get(value);
        if (k === undefined) {
          k = b.strings.length;
          b.strings.push(value);
          b.index.set(value, k);
        }
        b.tag[i] = TAG_STRING + k;
      } else irregular = true;
    }
  }
  const columns: Record<string, BlockColumn> = {};
  for (const [name, b] of builders) {
    let numbers = false;
    let others = false;
    for (let i = 0; i < n; i++) {
      if (b.tag[i] === TAG_NUMBER) numbers = true;
      else others = true;
    }
    columns[name] = { num: numbers ? b.num : null, tag: others ? b.tag : null, strings: b.strings };
  }
  return { rows: n, ids: ids.join('\n'), ts, model, models, node, nodes, probability, columns, irregular };
}

/** The prediction ids of a block, in block order. */
export function blockIds(block: FeatureBlock): string[] {
  return block.rows === 0 ? [] : block.ids.split('\n');
}

/** Feature cell `i` of a column: the value the row's `features` held, or `undefined` when absent. */
function cellAt(column: BlockColumn, i: number): string | number | null | undefined {
  const tag = column.tag ? column.tag[i]! : TAG_NUMBER;
  if (tag === TAG_NUMBER) return column.num![i]!;
  if (tag === TAG_ABSENT) return undefined;
  if (tag === TAG_NULL) return null;
  return column.strings[tag - TAG_STRING]!;
}

/** The `features` record of row `i` of a block. */
export function featuresAt(block: FeatureBlock, i: number): FeatureValues {
  const out: FeatureValues = {};
  for (const [name, column] of Object.entries(block.columns)) {
    const cell = cellAt(column, i);
    if (cell !== undefined) out[name] = cell;
  }
  return out;
}

/** A block's rows back as prediction rows (the columns the block holds). */
export function decodeBlock(block: FeatureBlock): PredictionRow[] {
  const ids = blockIds(block);
  const out: PredictionRow[] = [];
  for (let i = 0; i < block.rows; i++) {
    out.push({
      prediction_id: ids[i]!,
      ts: block.ts[i]!,
      model_version: block.model[i]! < 0 ? (null as unknown as string) : block.models[block.model[i]!]!,
      node_id: block.node[i]! < 0 ? (null as unknown as string) : block.nodes[block.node[i]!]!,
      probability: block.probability[i]!,
      features: featuresAt(block, i),
    } as PredictionRow);
  }
  return out;
}

type BlocksDb = Pick<PmmDb, 'feature_blocks' | 'predictions'>;

/**
 * Appends newly stored prediction rows: the newest block is filled up to BLOCK_ROWS (rewritten under a new
 * id), then new blocks. Call inside the transaction that writes the rows.
 */
export async function appendToBlocks(
  db: BlocksDb,
  rows: readonly Readonly<Record<string, unknown>>[],
): Promise<void> {
  if (rows.length === 0) return;
  let pending: Readonly<Record<string, unknown>>[] = [...rows];
  const last = await db.feature_blocks.orderBy(':id').last();
  if (last && last.rows < BLOCK_ROWS && !last.irregular) {
    const room = BLOCK_ROWS - last.rows;
    const merged = [...decodeBlock(last), ...pending.slice(0, room)] as unknown as Record<string, unknown>[];
    pending = pending.slice(room);
    await db.feature_blocks.delete(last.id!);
    await db.feature_blocks.add(encodeBlock(merged));
  }
  const blocks: FeatureBlock[] = [];
  for (let start = 0; start < pending.length; start += BLOCK_ROWS) {
    blocks.push(encodeBlock(pending.slice(start, start + BLOCK_ROWS)));
  }
  if (blocks.length > 0) await db.feature_blocks.bulkAdd(blocks);
}

/**
 * Rows already in blocks changed (`keys`: updated, re-inserted or deleted; the rows are written already):
 * every block holding one of them is rebuilt from the stored rows under a new id. Keys of stored rows held by
 * no block are appended. Rare (predictions are insert-only in practice), so it reads every block.
 */
export async function refreshBlocks(db: BlocksDb, keys: ReadonlySet<string>): Promise<void> {
  if (keys.size === 0) return;
  const found = new Set<string>();
  const blocks = await db.feature_blocks.toArray();
  for (const block of blocks) {
    const ids = blockIds(block);
    if (!ids.some((id) => keys.has(id))) continue;
    for (const id of ids) if (keys.has(id)) found.add(id);
    const rows = (await db.predictions.bulkGet(ids)).filter((r): r is PredictionRow => r !== undefined);
    await db.feature_blocks.delete(block.id!);
    if (rows.length > 0)
      await db.feature_blocks.add(encodeBlock(rows as unknown as Record<string, unknown>[]));
  }
  const missing = [...keys].filter((k) => !found.has(k));
  if (missing.length > 0) {
    const rows = (await db.predictions.bulkGet(missing)).filter((r): r is PredictionRow => r !== undefined);
    await appendToBlocks(db, rows as unknown as Record<string, unknown>[]);
  }
}

/** Builds every block from the stored rows (schema upgrade). */
export async function buildAllBlocks(tx: Transaction): Promise<void> {
  const blocks = tx.table<FeatureBlock, number>('feature_blocks');
  await blocks.clear();
  const predictions = tx.table<PredictionRow, string>('predictions');
  let batch: PredictionRow[] = [];
  let lastKey: string | undefined;
  for (;;) {
    const query =
      lastKey === undefined ? predictions.toCollection() : predictions.where(':id').above(lastKey);
    batch = await query.limit(BLOCK_ROWS).toArray();
    if (batch.length === 0) break;
    lastKey = batch[batch.length - 1]!.prediction_id;
    await blocks.add(encodeBlock(batch as unknown as Record<string, unknown>[]));
    if (batch.length < BLOCK_ROWS) break;
  }
}

/** The selected window, column-wise: rows in the order `loadWindow` returns them. */
export interface WindowColumns {
  readonly rows: number;
  readonly ids: readonly string[];
  readonly ts: Float64Array;
  readonly probability: Float64Array;
  /** Features in order of first appearance. */
  readonly columns: ReadonlyMap<string, BlockColumn>;
  /** `features` of every row (objects: only for analyses without a column-wise path). */
  records(): FeatureValues[];
}

/** Window selection over blocks exactly as `loadWindow` selects rows (same rows, same order). */
export function selectWindow(blocks: readonly FeatureBlock[], spec: WindowSpec): WindowColumns {
  const from = spec.from ?? Number.NEGATIVE_INFINITY;
  const to = spec.to ?? Number.POSITIVE_INFINITY;
  // Picked rows as (block, row) pairs.
  const pickBlock: number[] = [];
  const pickRow: number[] = [];
  const pickTs: number[] = [];
  const idCache: (string[] | undefined)[] = [];
  blocks.forEach((block, b) => {
    const modelCode = spec.modelVersion ? block.models.indexOf(spec.modelVersion) : -2;
    const nodeCode = spec.nodeId ? block.nodes.indexOf(spec.nodeId) : -2;
    if (modelCode === -1 || nodeCode === -1) return;
    for (let i = 0; i < block.rows; i++) {
      const t = block.ts[i]!;
      // NaN fails both: rows without a valid ts are in none of the ts indexes.
      if (!(t >= from && t <= to)) continue;
      if (modelCode >= 0 && block.model[i] !== modelCode) continue;
      if (nodeCode >= 0 && block.node[i] !== nodeCode) continue;
      pickBlock.push(b);
      pickRow.push(i);
      pickTs.push(t);
    }
  });
  const ids = (k: number): string => {
    const b = pickBlock[k]!;
    let list = idCache[b];
    if (!list) {
      list = blockIds(blocks[b]!);
      idCache[b] = list;
    }
    return list[pickRow[k]!]!;
  };
  // Index order: ts, then primary key (IndexedDB compares strings by code unit, as `<` does).
  let order = Array.from(pickTs, (_, k) => k);
  const compare = (a: number, b: number): number => {
    const d = pickTs[a]! - pickTs[b]!;
    if (d !== 0) return d;
    const x = ids(a);
    const y = ids(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  let sorted = true;
  for (let k = 1; k < order.length && sorted; k++) if (compare(k - 1, k) > 0) sorted = false;
  if (!sorted) order.sort(compare);
  if (spec.lastN !== undefined && spec.lastN > 0 && order.length > spec.lastN) {
    order = order.slice(order.length - spec.lastN);
  }
  const n = order.length;
  const ts = new Float64Array(n);
  const probability = new Float64Array(n);
  const idList: string[] = new Array(n);
  const names: string[] = [];
  for (const block of blocks)
    for (const name of Object.keys(block.columns)) if (!names.includes(name)) names.push(name);
  const columns = new Map<string, BlockColumn>();
  for (const name of names) {
    // One dictionary for the window (only strings of selected rows); tags re-mapped per block on first use.
    const strings: string[] = [];
    const index = new Map<string, number>();
    const remap = blocks.map((block) => {
      const column = block.columns[name];
      return column ? new Int32Array(column.strings.length).fill(-1) : null;
    });
    const num = new Float64Array(n);
    const tag = new Uint32Array(n);
    let numbers = false;
    let others = false;
    for (let j = 0; j < n; j++) {
      const k = order[j]!;
      const b = pickBlock[k]!;
      const i = pickRow[k]!;
      const column = blocks[b]!.columns[name];
      let t: number;
      if (!column) t = TAG_ABSENT;
      else {
        t = column.tag ? column.tag[i]! : TAG_NUMBER;
        if (t >= TAG_STRING) {
          const map = remap[b]!;
          let mapped = map[t - TAG_STRING]!;
          if (mapped < 0) {
            mapped = TAG_STRING + dictCode(strings, index, column.strings[t - TAG_STRING]!);
            map[t - TAG_STRING] = mapped;
          }
          t = mapped;
        }
      }
      tag[j] = t;
      if (t === TAG_NUMBER) {
        num[j] = column!.num![i]!;
        numbers = true;
      } else {
        num[j] = Number.NaN;
        others = true;
      }
    }
    columns.set(name, {
      num: numbers ? num : null,
      tag: others ? tag : null,
      strings,
    });
  }
  for (let j = 0; j < n; j++) {
    const k = order[j]!;
    const block = blocks[pickBlock[k]!]!;
    ts[j] = block.ts[pickRow[k]!]!;
    probability[j] = block.probability[pickRow[k]!]!;
    idList[j] = ids(k);
  }
  return {
    rows: n,
    ids: idList,
    ts,
    probability,
    columns,
    records() {
      const out: FeatureValues[] = [];
      for (let j = 0; j < n; j++) {
        const record: FeatureValues = {};
        for (const [name, column] of columns) {
          const cell = cellAt(column, j);
          if (cell !== undefined) record[name] = cell;
        }
        out.push(record);
      }
      return out;
    },
  };
}

/**
 * Reads blocks for analysis: the blocks by id (from `cache` when it holds them: ids are never reused, so a
 * cached block is current), or null when the blocks cannot stand in for the rows (a block is irregular, or
 * the blocks do not hold exactly the stored rows) — then read the rows.
 */
export async function readBlocks(
  db: PmmDb,
  cache: Map<number, FeatureBlock> = new Map(),
): Promise<FeatureBlock[] | null> {
  const [keys, count] = await db.transaction('r', db.feature_blocks, db.predictions, () =>
    Promise.all([db.feature_blocks.toCollection().primaryKeys(), db.predictions.count()]),
  );
  const wanted = new Set(keys as number[]);
  for (const id of cache.keys()) if (!wanted.has(id)) cache.delete(id);
  const missing = (keys as number[]).filter((id) => !cache.has(id));
  if (missing.length > 0) {
    const fetched = await db.feature_blocks.bulkGet(missing);
    for (const block of fetched) {
      if (!block) return null; // changed between the two reads: read the rows
      cache.set(block.id!, block);
    }
  }
  const blocks = (keys as number[]).map((id) => cache.get(id)!);
  let rows = 0;
  for (const block of blocks) {
    if (block.irregular) return null;
    rows += block.rows;
  }
  return rows === count ? blocks : null;
}
