// The outbox: writes made offline (alias moves, notes) wait in Dexie with an idempotency key and go out once
// online, in the order they were made.
import type { UpdateSpec } from 'dexie';
import type { NoteItem, NoteSubjectType, OutboxItem, PmmDb, SetAliasItem } from '../store/db';

export interface OutboxOptions {
  readonly db: PmmDb;
  readonly baseUrl: string;
  /** The admin token (read when sending, so a token set later is used). */
  readonly adminToken: () => string | null | Promise<string | null>;
  readonly fetchClient?: typeof fetch;
  readonly newKey?: () => string;
}

export interface SetAliasRequest {
  readonly alias: string;
  readonly version: string;
  readonly reason?: string | null;
  readonly expectedVersion: string | null;
}

export interface NoteRequest {
  /** The note's id (a UUID), which is also its idempotency key; made here when not given. */
  readonly id?: string;
  readonly subjectType: NoteSubjectType;
  readonly subjectId: string;
  readonly text: string;
}

/** The server's limit on a note's length, in characters (code points). */
export const MAX_NOTE_CHARS = 4000;

export interface FlushResult {
  readonly sent: number;
  readonly conflicts: number;
  readonly failed: number;
  /** The server could not be reached: the rest stays queued. */
  readonly offline: boolean;
}

/** The alias's version on the server in its 409 answer (`alias_conflict`): `error.details.current_version`. */
export function currentVersionOf(body: unknown): string | null {
  const details = (body as { error?: { details?: { current_version?: unknown } } } | null)?.error?.details;
  return typeof details?.current_version === 'string' ? details.current_version : null;
}

export class Outbox {
  readonly #options: OutboxOptions;
  #flushing: Promise<FlushResult> | null = null;

  constructor(options: OutboxOptions) {
    this.#options = options;
  }

  /** Queues an alias move; returns the stored item (its key is the Idempotency-Key). */
  async enqueueSetAlias(request: SetAliasRequest): Promise<SetAliasItem> {
    const item: SetAliasItem = {
      key: this.#options.newKey?.() ?? crypto.randomUUID(),
      kind: 'set-alias',
      alias: request.alias,
      version: request.version,
      reason: request.reason ?? null,
      expected_version: request.expectedVersion,
      status: 'pending',
      created_at: Date.now(),
      attempts: 0,
      last_error: null,
      current_version: null,
      sent_at: null,
    };
    await this.#options.db.outbox.add(item);
    return item;
  }

  /** Queues a note; its id is the idempotency key (the server stores a note id once). */
  async enqueueNote(request: NoteRequest): Promise<NoteItem> {
    const item: NoteItem = {
      // The server takes only a UUID as a note id.
      key: request.id ?? crypto.randomUUID(),
      kind: 'note',
      subject_type: request.subjectType,
      subject_id: request.subjectId,
      text: request.text,
      status: 'pending',
      created_at: Date.now(),
      attempts: 0,
      last_error: null,
      sent_at: null,
    };
    await this.#options.db.outbox.add(item);
    return item;
  }

  /** Items a crash left in `sending` go back to `pending`: resending with the same key is safe. */
  async recover(): Promise<void> {
    await this.#options.db.outbox.where('status').equals('sending').modify({ status: 'pending' });
  }

  /** Sends pending items in order; stops at the first network failure. Concurrent calls share one run. */
  flush(): Promise<FlushResult> {
    if (!this.#flushing) {
      this.#flushing = this.#flush().finally(() => {
        this.#flushing = null;
      });
    }
    return this.#flushing;
  }

  async #flush(): Promise<FlushResult> {
    const { db } = this.#options;
    let sent = 0;
    let conflicts = 0;
    let failed = 0;
    const pending = await db.outbox.where('status').equals('pending').sortBy('created_at');
    for (const item of pending) {
      const outcome = await this.#send(item);
      if (outcome === 'offline') return { sent, conflicts, failed, offline: true };
      if (outcome === 'done') sent++;
      else if (outcome === 'conflict') conflicts++;
      else failed++;
    }
    return { sent, conflicts, failed, offline: false };
  }

  async #send(item: OutboxItem): Promise<'done' | 'conflict' | 'failed' | 'offline'> {
    const { db, baseUrl } = this.#options;
    const fetchClient = this.#options.fetchClient ?? globalThis.fetch.bind(globalThis);
    const token = await this.#options.adminToken();
    await db.outbox.update(item.key, { status: 'sending', attempts: item.attempts + 1 });
    const base = baseUrl.replace(/\/$/, '');
    const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    let response: Response;
    try {
      response =
        item.kind === 'note'
          ? await fetchClient(`${base}/v1/notes`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...auth },
              body: JSON.stringify({
                id: item.key,
                subject_type: item.subject_type,
                subject_id: item.subject_id,
                text: item.text,
              }),
            })
          : await fetchClient(`${base}/v1/models/${encodeURIComponent(item.version)}/aliases`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'Idempotency-Key': item.key, ...auth },
              body: JSON.stringify({
                alias: item.alias,
                ...(item.reason ? { reason: item.reason } : {}),
                // null too: the server then checks that the alias does not exist yet.
                expected_version: item.expected_version,
              }),
            });
    } catch (error) {
      await db.outbox.update(item.key, { status: 'pending', last_error: (error as Error).message });
      return 'offline';
    }
    const body: unknown = await response.json().catch(() => null);
    if (response.ok) {
      await db.outbox.update(item.key, { status: 'done', sent_at: Date.now(), last_error: null });
      return 'done';
    }
    if (response.status === 409 && item.kind === 'note') {
      await db.outbox.update(item.key, {
        status: 'conflict',
        last_error:
          (body as { error?: { message?: string } } | null)?.error?.message ??
          'a different note with this id exists on the server',
      });
      return 'conflict';
    }
    if (response.status === 409) {
      const conflict: Partial<SetAliasItem> = {
        status: 'conflict',
        current_version: currentVersionOf(body),
        last_error: 'the alias moved on the server since this change was made',
      };
      await db.outbox.update(item.key, conflict as UpdateSpec<OutboxItem>);
      return 'conflict';
    }
    if (response.status >= 500 || response.status === 429) {
      await db.outbox.update(item.key, {
        status: 'pending',
        last_error: `server answered ${response.status}`,
      });
      return 'offline';
    }
    const message =
      (body as { error?: { message?: string } } | null)?.error?.message ??
      `server answered ${response.status}`;
    await db.outbox.update(item.key, { status: 'failed', last_error: message });
    return 'failed';
  }

  /**
   * The user's answer to a conflict: `apply` queues the same move again against the version the alias has
   * now (a new idempotency key: it is a new decision), or a conflicting note again under a new id; `discard`
   * drops it.
   */
  async resolveConflict(key: string, answer: 'apply' | 'discard'): Promise<OutboxItem | null> {
    const { db } = this.#options;
    const item = await db.outbox.get(key);
    if (item?.status !== 'conflict') return null;
    await db.outbox.update(key, { status: 'discarded' });
    if (answer === 'discard') return null;
    if (item.kind === 'note') {
      return this.enqueueNote({
        subjectType: item.subject_type,
        subjectId: item.subject_id,
        text: item.text,
      });
    }
    return this.enqueueSetAlias({
      alias: item.alias,
      version: item.version,
      reason: item.reason,
      expectedVersion: item.current_version,
    });
  }
}
