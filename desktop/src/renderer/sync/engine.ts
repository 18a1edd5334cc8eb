// The sync engine: one Electric ShapeStream per table into Dexie, resumable, chunked, with progress and online state.
// Live updates wait on one change long-poll for all tables (change-feed.ts), not one held request per table.
import { isChangeMessage, isControlMessage, type Message, type Row, ShapeStream } from '@electric-sql/client';
import { applyOperations, type RowOperation, resetTable } from '../store/apply';
import { type PmmDb, SYNCED_TABLES, type SyncedTable } from '../store/db';
import { ChangeFeed } from './change-feed';

export interface SyncEngineOptions {
  readonly db: PmmDb;
  /** The sync server's origin, e.g. `http://localhost:8788`. */
  readonly baseUrl: string;
  /** Read token, sent as `Authorization: Bearer`. */
  readonly token?: string;
  readonly tables?: readonly SyncedTable[];
  /** Rows per IndexedDB transaction during a large catch-up (default 2000). */
  readonly chunkSize?: number;
  /** Keep long-polling after the catch-up (default true). */
  readonly live?: boolean;
  readonly fetchClient?: typeof fetch;
  /** Called between chunks so the UI stays responsive (default: a macrotask). */
  readonly yieldToUi?: () => Promise<void>;
  /** Longest wait between reconnection attempts while offline (default 5 s). */
  readonly maxRetryDelayMs?: number;
}

export interface TableProgress {
  readonly table: SyncedTable;
  /** Rows held locally for this table. */
  readonly rows: number;
  /** Rows on the server when it says so (`pmm-total-rows` response header), else null. */
  readonly total: number | null;
  readonly upToDate: boolean;
  readonly upToDateAt: number | null;
}

export interface SyncStatus {
  readonly running: boolean;
  /** The server answered the last request. */
  readonly online: boolean;
  readonly lastContactAt: number | null;
  readonly error: string | null;
  readonly tables: Readonly<Partial<Record<SyncedTable, TableProgress>>>;
}

type Events = {
  progress: TableProgress;
  status: SyncStatus;
  error: Error;
};
type Listener<K extends keyof Events> = (value: Events[K]) => void;

/** Response header the sync server may send with a shape response: rows in the table, for a determinate progress bar. */
export const TOTAL_ROWS_HEADER = 'pmm-total-rows';

/** int8 as a number when exact, else as its decimal string: IndexedDB cannot store BigInt. */
export function parseInt8(value: string): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

export class SyncEngine {
  readonly #options: SyncEngineOptions;
  readonly #listeners = new Map<keyof Events, Set<(value: never) => void>>();
  #abort: AbortController | null = null;
  #streams: ShapeStream<Row<never>>[] = [];
  #writes = new Map<SyncedTable, Promise<void>>();
  #tables = new Map<SyncedTable, TableProgress>();
  #totals = new Map<string, number>();
  #status: Omit<SyncStatus, 'tables'> = { running: false, online: false, lastContactAt: null, error: null };
  #probeTimer: ReturnType<typeof setTimeout> | null = null;
  #feed: ChangeFeed | null = null;

  constructor(options: SyncEngineOptions) {
    this.#options = options;
  }

  on<K extends keyof Events>(type: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener as (value: never) => void);
    return () => set.delete(listener as (value: never) => void);
  }

  get status(): SyncStatus {
    return { ...this.#status, tables: Object.fromEntries(this.#tables) };
  }

  #emit<K extends keyof Events>(type: K, value: Events[K]): void {
    for (const listener of this.#listeners.get(type) ?? []) (listener as Listener<K>)(value);
  }

  #setStatus(patch: Partial<Omit<SyncStatus, 'tables'>>): void {
    const next = { ...this.#status, ...patch };
    const changed = (Object.keys(patch) as (keyof typeof patch)[]).some((k) => next[k] !== this.#status[k]);
    this.#status = next;
    if (changed) this.#emit('status', this.status);
    if (!next.online) this.#scheduleProbe();
  }

  /**
   * While offline, asks the server's `/ready` every second or so. A shape request that reconnects at the live
   * edge is held open by the server until rows arrive or its long-poll ends (~20 s), so its answer alone would
   * say "online" (and release the outbox) that much later than the server is back.
   */
  #scheduleProbe(): void {
    if (this.#probeTimer !== null || !this.#abort || this.#status.online) return;
    const delay = Math.min(this.#options.maxRetryDelayMs ?? 5000, 1000);
    this.#probeTimer = setTimeout(() => void this.#probe(), delay);
  }

  async #probe(): Promise<void> {
    this.#probeTimer = null;
    const abort = this.#abort;
    if (!abort || this.#status.online) return;
    const base = this.#options.fetchClient ?? globalThis.fetch.bind(globalThis);
    try {
      const response = await base(`${this.#options.baseUrl.replace(/\/$/, '')}/ready`, {
        signal: abort.signal,
      });
      if (response.ok && this.#abort === abort) this.#setStatus({ online: true, lastContactAt: Date.now() });
    } catch {
      // Still unreachable.
    }
    this.#scheduleProbe();
  }

  /** Resumes every table's stream from its stored handle and offset. */
  async start(): Promise<void> {
    if (this.#abort) return;
    const { db } = this.#options;
    const abort = new AbortController();
    this.#abort = abort;
    this.#setStatus({ running: true, error: null });
    const headers: Record<string, string> = this.#options.token
      ? { Authorization: `Bearer ${this.#options.token}` }
      : {};
    this.#feed = new ChangeFeed({
      baseUrl: this.#options.baseUrl,
      headers,
      fetchClient: this.#fetch,
      signal: abort.signal,
      ...(this.#options.maxRetryDelayMs !== undefined
        ? { maxRetryDelayMs: this.#options.maxRetryDelayMs }
        : {}),
    });
    const tables = this.#options.tables ?? SYNCED_TABLES;
    const states = await db.sync_state.bulkGet([...tables]);
    tables.forEach((table, i) => {
      const state = states[i];
      this.#tables.set(table, {
        table,
        rows: state?.rows ?? 0,
        total: null,
        upToDate: false,
        upToDateAt: state?.up_to_date_at ?? null,
      });
      const resume = state?.handle && state.offset !== '-1';
      const stream = new ShapeStream<Row<never>>({
        url: `${this.#options.baseUrl.replace(/\/$/, '')}/v1/shape`,
        params: { table },
        ...(resume ? { handle: state.handle!, offset: state.offset as `${number}_${number}` } : {}),
        headers,
        parser: { int8: parseInt8 },
        subscribe: this.#options.live ?? true,
        signal: abort.signal,
        fetchClient: this.#fetch,
        backoffOptions: {
          initialDelay: 250,
          maxDelay: this.#options.maxRetryDelayMs ?? 5000,
          multiplier: 2,
        },
        onError: (error) => {
          const status = (error as { status?: number }).status;
          if (status === 401 || status === 403) {
            this.#setStatus({ error: `the server refused the read token (${status})` });
            this.#emit('error', error);
            return;
          }
          this.#emit('error', error);
          return {};
        },
        warnOnHttp: false,
      });
      stream.subscribe(
        (messages) => this.#enqueue(table, stream, messages),
        (error) => {
          if (!isAbort(error)) this.#emit('error', error);
        },
      );
      this.#streams.push(stream);
    });
    this.#emit('status', this.status);
  }

  /** Stops every stream and waits for writes in flight; rows and positions already stored stay. */
  async stop(): Promise<void> {
    const abort = this.#abort;
    if (!abort) return;
    this.#abort = null;
    abort.abort();
    if (this.#probeTimer !== null) clearTimeout(this.#probeTimer);
    this.#probeTimer = null;
    for (const stream of this.#streams) stream.unsubscribeAll();
    this.#streams = [];
    this.#feed = null;
    await Promise.allSettled(this.#writes.values());
    this.#writes.clear();
    this.#setStatus({ running: false });
  }

  /** Resolves once every table has caught up with the server at least once since `start()`. */
  whenUpToDate(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const all = [...this.#tables.values()];
        return all.length > 0 && all.every((t) => t.upToDate);
      };
      if (check()) return resolve();
      const off = this.on('progress', () => {
        if (check()) {
          off();
          resolve();
        }
      });
    });
  }

  #fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const base = this.#options.fetchClient ?? globalThis.fetch.bind(globalThis);
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const table = url.searchParams.get('table');
    const handle = url.searchParams.get('handle');
    const offset = url.searchParams.get('offset') ?? '';
    // A live request is parked until the change feed says its table moved: it then answers at once.
    if (
      this.#feed &&
      table &&
      handle &&
      url.searchParams.get('live') === 'true' &&
      /^\d+_\d+$/.test(offset)
    ) {
      await this.#feed.wait(table, handle, offset, init?.signal);
    }
    try {
      const response = await base(input, init);
      const reachable = response.status < 500;
      this.#setStatus({ online: reachable, ...(reachable ? { lastContactAt: Date.now() } : {}) });
      const total = response.headers.get(TOTAL_ROWS_HEADER);
      if (table && total !== null && Number.isFinite(Number(total))) this.#totals.set(table, Number(total));
      return response;
    } catch (error) {
      if (!isAbort(error)) this.#setStatus({ online: false });
      throw error;
    }
  };

  /** Writes run one after another per table, so positions are stored in log order. */
  #enqueue(
    table: SyncedTable,
    stream: ShapeStream<Row<never>>,
    messages: Message<Row<never>>[],
  ): Promise<void> {
    const previous = this.#writes.get(table) ?? Promise.resolve();
    const next = previous.then(() => this.#write(table, stream, messages));
    this.#writes.set(
      table,
      next.catch((error: unknown) => {
        this.#setStatus({ error: `could not store ${table}: ${(error as Error).message}` });
        this.#emit('error', error as Error);
      }),
    );
    return next;
  }

  async #write(
    table: SyncedTable,
    stream: ShapeStream<Row<never>>,
    messages: Message<Row<never>>[],
  ): Promise<void> {
    const { db } = this.#options;
    const chunkSize = this.#options.chunkSize ?? 2000;
    const yieldToUi = this.#options.yieldToUi ?? macrotask;
    let ops: RowOperation[] = [];
    let upToDate = false;
    for (const message of messages) {
      if (isChangeMessage(message)) {
        ops.push({ op: message.headers.operation, value: message.value as Record<string, unknown> });
      } else if (isControlMessage(message)) {
        if (message.headers.control === 'up-to-date') upToDate = true;
        else if (message.headers.control === 'must-refetch') {
          ops = [];
          await resetTable(db, table);
          this.#progress(table, { rows: 0, upToDate: false });
        }
      }
    }
    if (this.#abort === null) return;
    // The position belongs to the whole batch: earlier chunks go first, the last one carries the position.
    // A crash in between replays the batch on restart, which upserts the same rows again.
    const position = { handle: stream.shapeHandle ?? null, offset: String(stream.lastOffset), upToDate };
    let start = 0;
    do {
      const chunk = ops.slice(start, start + chunkSize);
      start += chunkSize;
      const last = start >= ops.length;
      const state = await applyOperations(db, table, chunk, last ? position : null);
      const previous = this.#tables.get(table);
      this.#progress(table, {
        rows: state?.rows ?? (previous?.rows ?? 0) + chunk.length,
        upToDate: last && upToDate ? true : (previous?.upToDate ?? false),
        ...(state?.up_to_date_at ? { upToDateAt: state.up_to_date_at } : {}),
      });
      if (!last || ops.length > chunkSize) await yieldToUi();
    } while (start < ops.length);
  }

  #progress(table: SyncedTable, patch: Partial<TableProgress>): void {
    const previous = this.#tables.get(table) ?? {
      table,
      rows: 0,
      total: null,
      upToDate: false,
      upToDateAt: null,
    };
    const next: TableProgress = { ...previous, ...patch, total: this.#totals.get(table) ?? previous.total };
    this.#tables.set(table, next);
    this.#emit('progress', next);
  }
}
