// Notes on a model version as the UI shows them: the synced `notes` table merged with notes still in the outbox.
import type { NoteItem, NoteRow, PmmDb } from './db';

/** One note as shown: from the server (synced) or from the outbox (not synced back yet). */
export interface ShownNote {
  readonly id: string;
  readonly text: string;
  readonly author: string | null;
  /** Epoch ms: the server's created_at, or when the note was queued. */
  readonly at: number;
  /** `sent`: the server has it (synced back, or acknowledged and syncing back). */
  readonly state: 'pending' | 'sending' | 'sent' | 'conflict' | 'failed';
  readonly source: 'server' | 'outbox';
  readonly error: string | null;
}

/** The notes on a model version, newest first: synced rows win over outbox items with the same id. */
export async function notesOf(db: PmmDb, version: string): Promise<ShownNote[]> {
  const rows: NoteRow[] = await db.notes
    .where('[subject_type+subject_id]')
    .equals(['model', version])
    .toArray();
  const queued = (await db.outbox.toArray()).filter(
    (i): i is NoteItem =>
      i.kind === 'note' && i.subject_type === 'model' && i.subject_id === version && i.status !== 'discarded',
  );
  const byId = new Map<string, ShownNote>();
  for (const item of queued) {
    byId.set(item.key, {
      id: item.key,
      text: item.text,
      author: null,
      at: item.created_at,
      state: item.status === 'done' ? 'sent' : (item.status as ShownNote['state']),
      source: 'outbox',
      error: item.last_error,
    });
  }
  for (const row of rows) {
    byId.set(row.id, {
      id: row.id,
      text: row.text,
      author: row.author,
      at: row.ts,
      state: 'sent',
      source: 'server',
      error: null,
    });
  }
  return [...byId.values()].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
}
