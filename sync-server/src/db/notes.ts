// Analyst notes: insert-once by client id (a retry finds the stored note), listed newest first.
import { and, desc, eq, sql } from 'drizzle-orm';
import { type Db, rows } from './client';
import { notes } from './schema';

export type NoteSubjectType = 'model' | 'drift_report';

export interface Note {
  readonly id: string;
  readonly subject_type: NoteSubjectType;
  readonly subject_id: string;
  readonly text: string;
  readonly author: string;
  readonly created_at: string;
  readonly seq: string;
}

export interface NewNote {
  readonly id: string;
  readonly subjectType: NoteSubjectType;
  readonly subjectId: string;
  readonly text: string;
  readonly author: string;
}

const toNote = (r: typeof notes.$inferSelect): Note => ({
  id: r.id,
  subject_type: r.subjectType as NoteSubjectType,
  subject_id: r.subjectId,
  text: r.text,
  author: r.author,
  created_at: r.createdAt.toISOString(),
  seq: r.seq,
});

/**
 * Inserts the note unless its id exists. `created` false: the stored note (which may differ from `note`) is
 * returned instead; a concurrent insert of the same id waits for the other and then finds its row.
 */
export async function insertNote(db: Db, note: NewNote): Promise<{ created: boolean; note: Note }> {
  const [inserted] = await db
    .insert(notes)
    .values(note)
    .onConflictDoNothing({ target: notes.id })
    .returning();
  if (inserted) return { created: true, note: toNote(inserted) };
  const stored = await getNote(db, note.id);
  if (!stored) throw new Error(`note ${note.id} conflicted but cannot be read`);
  return { created: false, note: stored };
}

export async function getNote(db: Db, id: string): Promise<Note | null> {
  const [row] = await db.select().from(notes).where(eq(notes.id, id));
  return row ? toNote(row) : null;
}

export async function listNotes(
  db: Db,
  options: { subjectType?: NoteSubjectType; subjectId?: string; limit: number },
): Promise<Note[]> {
  const where = and(
    options.subjectType === undefined ? undefined : eq(notes.subjectType, options.subjectType),
    options.subjectId === undefined ? undefined : eq(notes.subjectId, options.subjectId),
  );
  const found = await db
    .select()
    .from(notes)
    .where(where)
    .orderBy(desc(notes.createdAt), desc(notes.seq))
    .limit(options.limit);
  return found.map(toNote);
}

/** A drift report id is a positive int8 in decimal; anything else names no report. */
const REPORT_ID = /^[1-9]\d{0,17}$/;

export async function driftReportExists(db: Db, id: string): Promise<boolean> {
  if (!REPORT_ID.test(id)) return false;
  const found = await rows(db, sql`select 1 from drift_reports where id = ${id}::int8`);
  return found.length > 0;
}
