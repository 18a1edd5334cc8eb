// Analyst notes: create, idempotent retry by id, conflicts, unknown subjects, validation, auth, listing, and the shape.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from './db/client';
import { insertDriftReport } from './db/drift';
import { startShapeServer } from './shapes/test-support';
import { artifactVersion, READ_TOKEN, registerBody, startTestServer, type TestServer } from './test/harness';

let server: TestServer;
let reportId: string;
const VERSION = 'churn-notes-1';

beforeAll(async () => {
  server = await startTestServer();
  const registered = await server.call('POST', '/v1/models', {
    json: registerBody(await artifactVersion(VERSION)),
  });
  expect(registered.status).toBe(201);
  const report = await insertDriftReport(server.database.db, {
    modelName: 'churn',
    modelVersion: VERSION,
    nodeId: null,
    window: { last_n: 10 },
    report: { columns: [] },
    datasetDrift: false,
    driftShare: 0,
  });
  reportId = report.id;
});
afterAll(() => server?.close());

type ErrorBody = { error: { code: string; message: string; details: unknown } };
type Note = {
  id: string;
  subject_type: string;
  subject_id: string;
  text: string;
  author: string;
  created_at: string;
  seq: string;
};

const post = (json: unknown, token?: string | null) =>
  server.call('POST', '/v1/notes', token === undefined ? { json } : { json, token });

const noteCount = async () =>
  Number((await rows<{ n: number }>(server.database.db, sql`select count(*)::int as n from notes`))[0]!.n);

describe('POST /v1/notes', () => {
  it('stores a note (201), replays the same note (200) and refuses a different one with the id (409)', async () => {
    const body = {
      id: randomUUID(),
      subject_type: 'model',
      subject_id: VERSION,
      text: 'AUC dropped on tenure < 6',
    };
    const created = await post(body);
    expect(created.status).toBe(201);
    const note = (await created.json()) as Note;
    expect(note).toMatchObject({ ...body, author: 'admin:env-admin' });
    expect(note.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(note.seq).toMatch(/^\d+$/);

    const again = await post(body);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(note);

    const different = await post({ ...body, text: 'something else' });
    expect(different.status).toBe(409);
    expect(((await different.json()) as ErrorBody).error.code).toBe('note_exists');
    const otherSubject = await post({ ...body, subject_type: 'drift_report', subject_id: reportId });
    expect(otherSubject.status).toBe(409);

    const stored = await rows<{ text: string; n: number }>(
      server.database.db,
      sql`select text, count(*) over ()::int as n from notes where id = ${body.id}`,
    );
    expect(stored).toEqual([{ text: body.text, n: 1 }]);
  });

  it('stores a note on a drift report', async () => {
    const body = {
      id: randomUUID(),
      subject_type: 'drift_report',
      subject_id: reportId,
      text: 'expected: promo',
    };
    const response = await post(body);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject(body);
  });

  it('answers 404 naming an unknown model version or drift report, storing nothing', async () => {
    const before = await noteCount();
    const model = await post({
      id: randomUUID(),
      subject_type: 'model',
      subject_id: 'churn-nope',
      text: 'x',
    });
    expect(model.status).toBe(404);
    expect(((await model.json()) as ErrorBody).error.message).toContain('churn-nope');

    for (const id of ['999999', 'not-a-number', '99999999999999999999']) {
      const report = await post({
        id: randomUUID(),
        subject_type: 'drift_report',
        subject_id: id,
        text: 'x',
      });
      expect(report.status).toBe(404);
      expect(((await report.json()) as ErrorBody).error.message).toContain(id);
    }
    expect(await noteCount()).toBe(before);
  });

  it('answers 422 naming the bad field', async () => {
    const good = { id: randomUUID(), subject_type: 'model', subject_id: VERSION, text: 'ok' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, id: 'not-a-uuid' }, 'id'],
      [{ ...good, subject_type: 'node' }, 'subject_type'],
      [{ ...good, subject_id: '' }, 'subject_id'],
      [{ ...good, text: '' }, 'text'],
      [{ ...good, text: 'x'.repeat(4001) }, 'text'],
      [{ ...good, text: 'a\u0000b' }, 'text'],
      [{ ...good, extra: 1 }, 'extra'],
    ];
    const before = await noteCount();
    for (const [body, field] of cases) {
      const response = await post(body);
      expect(response.status, field).toBe(422);
      const error = (await response.json()) as ErrorBody;
      expect(error.error.code).toBe('validation_failed');
      expect((error.error.details as { path: string }[]).map((d) => d.path)).toEqual([field]);
      expect(error.error.message).toBe(`invalid request: ${field}`);
    }
    const { id: _, ...noId } = good;
    const missing = await post(noId);
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as ErrorBody).error.message).toBe('invalid request: id');
    expect(await noteCount()).toBe(before);

    // 4000 characters (emoji count once each, as PostgreSQL counts them) are accepted.
    const long = await post({ ...good, text: '😀'.repeat(4000) });
    expect(long.status).toBe(201);
  });

  it('refuses a missing (401) or read (403) token and stores nothing', async () => {
    const before = await noteCount();
    const body = { id: randomUUID(), subject_type: 'model', subject_id: VERSION, text: 'nope' };
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, READ_TOKEN)).status).toBe(403);
    expect(await noteCount()).toBe(before);
    expect((await server.call('GET', '/v1/notes', { token: null })).status).toBe(401);
  });

  it('keeps notes append-only in the database itself', async () => {
    await expect(server.database.db.execute(sql`delete from notes`)).rejects.toThrow();
    await expect(server.database.db.execute(sql`update notes set text = 'x'`)).rejects.toThrow();
  });
});

describe('GET /v1/notes', () => {
  it('lists a subject’s notes newest first (read token)', async () => {
    const subject = 'churn-notes-list';
    expect(
      (await server.call('POST', '/v1/models', { json: registerBody(await artifactVersion(subject)) }))
        .status,
    ).toBe(201);
    const ids: string[] = [];
    for (const text of ['first', 'second', 'third']) {
      const id = randomUUID();
      ids.push(id);
      expect((await post({ id, subject_type: 'model', subject_id: subject, text })).status).toBe(201);
    }
    const response = await server.call('GET', `/v1/notes?subject_type=model&subject_id=${subject}`, {
      token: READ_TOKEN,
    });
    expect(response.status).toBe(200);
    const { notes } = (await response.json()) as { notes: Note[] };
    expect(notes.map((n) => n.text)).toEqual(['third', 'second', 'first']);
    expect(notes.map((n) => n.id)).toEqual([...ids].reverse());

    const limited = await server.call('GET', `/v1/notes?subject_type=model&subject_id=${subject}&limit=1`, {
      token: READ_TOKEN,
    });
    expect(((await limited.json()) as { notes: Note[] }).notes.map((n) => n.text)).toEqual(['third']);

    const reports = await server.call('GET', `/v1/notes?subject_type=drift_report&subject_id=${reportId}`, {
      token: READ_TOKEN,
    });
    const reportNotes = ((await reports.json()) as { notes: Note[] }).notes;
    expect(reportNotes.length).toBeGreaterThan(0);
    for (const n of reportNotes)
      expect(n).toMatchObject({ subject_type: 'drift_report', subject_id: reportId });

    expect((await server.call('GET', '/v1/notes?subject_type=node', { token: READ_TOKEN })).status).toBe(422);
  });
});

describe('the notes shape', () => {
  it('serves a new note at GET /v1/shape?table=notes&offset=-1 to a read token', async () => {
    const body = { id: randomUUID(), subject_type: 'model', subject_id: VERSION, text: 'synced to the app' };
    const created = await post(body);
    expect(created.status).toBe(201);
    const note = (await created.json()) as Note;

    const shapes = await startShapeServer(server.database);
    try {
      const response = await fetch(`${shapes.url}/v1/shape?table=notes&offset=-1`, {
        headers: { authorization: `Bearer ${READ_TOKEN}` },
      });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.headers.get('electric-schema')!)).toEqual({
        id: { type: 'uuid', not_null: true, pk_index: 0 },
        subject_type: { type: 'text', not_null: true },
        subject_id: { type: 'text', not_null: true },
        text: { type: 'text', not_null: true },
        author: { type: 'text', not_null: true },
        created_at: { type: 'timestamptz', not_null: true },
        seq: { type: 'text', not_null: true },
      });
      const messages = (await response.json()) as {
        key?: string;
        value?: Record<string, string>;
        headers: { operation?: string };
      }[];
      const found = messages.find((m) => m.value?.id === body.id);
      expect(found).toEqual({
        key: `"public"."notes"/"${body.id}"`,
        value: {
          id: note.id,
          subject_type: 'model',
          subject_id: VERSION,
          text: body.text,
          author: 'admin:env-admin',
          created_at: note.created_at,
          seq: note.seq,
        },
        headers: { operation: 'insert' },
      });
    } finally {
      await shapes.close();
    }
  });
});
