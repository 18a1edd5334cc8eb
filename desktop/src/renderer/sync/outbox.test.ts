// The outbox: queued offline, sent once with its idempotency key, conflicts kept for the user to answer — alias
// moves and notes against the real sync server (child process), notes synced back by the engine.
import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ADMIN_TOKEN,
  loadModel,
  READ_TOKEN,
  type RealSyncServer,
  registerModel,
  setAlias,
  startRealSyncServer,
} from '../../../test/real-sync-server';
import { PmmDb } from '../store/db';
import { notesOf } from '../store/notes';
import { SyncEngine } from './engine';
import { Outbox } from './outbox';

let db: PmmDb;
afterEach(async () => {
  await db?.delete();
});

describe('Outbox on the real sync server', () => {
  let server: RealSyncServer;
  let version: string;
  /** Three registered versions, for alias moves. */
  let v1: string;
  let v2: string;
  let v3: string;
  /** Every request the outbox sent, with the server's answer. */
  const sent: {
    url: string;
    body: unknown;
    key: string | null;
    auth: string | null;
    status: number;
    answer: unknown;
    replayed: string | null;
  }[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const headers = new Headers(init?.headers);
    sent.push({
      url: String(input),
      body: JSON.parse(String(init?.body)),
      key: headers.get('idempotency-key'),
      auth: headers.get('authorization'),
      status: response.status,
      answer: await response.clone().json(),
      replayed: response.headers.get('idempotent-replayed'),
    });
    return response;
  };

  beforeAll(async () => {
    server = await startRealSyncServer();
    const models = await Promise.all(
      [inject('pmmModels').production, inject('pmmModels').challenger, inject('pmmHotfixModel')].map(
        loadModel,
      ),
    );
    for (const model of models) await registerModel(server, model);
    [v1, v2, v3] = models.map((m) => m.card.version) as [string, string, string];
    version = v1;
  });

  afterAll(async () => {
    await server?.close();
  });

  afterEach(async () => {
    sent.length = 0;
    if (!server.running) await server.restart();
  });

  const newOutbox = (adminToken: string | null = ADMIN_TOKEN) =>
    new Outbox({ db, baseUrl: `${server.url}/`, adminToken: () => adminToken, fetchClient: recordingFetch });

  async function aliasOnServer(alias: string): Promise<string | null> {
    const { aliases } = await server.call<{ aliases: { alias: string; version: string }[] }>(
      'GET',
      '/v1/aliases',
      {
        token: READ_TOKEN,
      },
    );
    return aliases.find((a) => a.alias === alias)?.version ?? null;
  }

  async function aliasHistory(alias: string) {
    const { history } = await server.call<{
      history: {
        from_version: string | null;
        to_version: string | null;
        reason: string | null;
        actor: string;
      }[];
    }>('GET', `/v1/aliases/history?alias=${alias}`, { token: READ_TOKEN });
    return history;
  }

  async function pointAt(alias: string, to: string): Promise<void> {
    const response = await setAlias(server, alias, to);
    expect(response.status).toBe(200);
  }

  it('keeps a promotion queued while offline and sends it exactly once when back', async () => {
    db = new PmmDb(`outbox-${Math.random()}`);
    await pointAt('offline-test', v1);
    const outbox = newOutbox();
    await server.stop();
    const item = await outbox.enqueueSetAlias({
      alias: 'offline-test',
      version: v2,
      reason: 'better AUC',
      expectedVersion: v1,
    });
    expect(await outbox.flush()).toMatchObject({ sent: 0, offline: true });
    expect(await db.outbox.get(item.key)).toMatchObject({ status: 'pending', attempts: 1 });

    await server.restart();
    expect(await outbox.flush()).toMatchObject({ sent: 1, offline: false });
    expect(await outbox.flush()).toMatchObject({ sent: 0 });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      url: `${server.url}/v1/models/${encodeURIComponent(v2)}/aliases`,
      key: item.key,
      auth: `Bearer ${ADMIN_TOKEN}`,
      body: { alias: 'offline-test', reason: 'better AUC', expected_version: v1 },
      status: 200,
    });
    expect(await db.outbox.get(item.key)).toMatchObject({ status: 'done', last_error: null });
    expect(await aliasOnServer('offline-test')).toBe(v2);
    expect(await aliasHistory('offline-test')).toMatchObject([
      { from_version: v1, to_version: v2, reason: 'better AUC', actor: 'admin:env-admin' },
      { from_version: null, to_version: v1 },
    ]);
  });

  it('resends an alias move a crash left in sending with the same key, which the server replays', async () => {
    db = new PmmDb(`outbox-${Math.random()}`);
    await pointAt('crash-test', v1);
    const outbox = newOutbox();
    const item = await outbox.enqueueSetAlias({ alias: 'crash-test', version: v2, expectedVersion: v1 });
    await outbox.flush();
    // The app crashed after the server moved the alias but before the outbox recorded it.
    await db.outbox.update(item.key, { status: 'sending' });
    await outbox.recover();
    expect(await outbox.flush()).toMatchObject({ sent: 1, conflicts: 0 });
    expect(sent.map((r) => [r.key, r.status, r.replayed])).toEqual([
      [item.key, 200, null],
      [item.key, 200, 'true'],
    ]);
    expect(await aliasHistory('crash-test')).toHaveLength(2);
    expect(await aliasOnServer('crash-test')).toBe(v2);
  });

  it("records the server's alias_conflict with its version and applies it again only when the user says so", async () => {
    db = new PmmDb(`outbox-${Math.random()}`);
    await pointAt('conflict-test', v1);
    const outbox = newOutbox();
    const item = await outbox.enqueueSetAlias({ alias: 'conflict-test', version: v2, expectedVersion: v1 });
    await pointAt('conflict-test', v3); // someone else moved it meanwhile
    expect(await outbox.flush()).toMatchObject({ conflicts: 1, sent: 0 });
    expect(sent[0]).toMatchObject({
      status: 409,
      answer: { error: { code: 'alias_conflict', details: { current_version: v3 } } },
    });
    expect(await db.outbox.get(item.key)).toMatchObject({ status: 'conflict', current_version: v3 });
    expect(await aliasOnServer('conflict-test')).toBe(v3);

    const again = await outbox.resolveConflict(item.key, 'apply');
    expect(again).toMatchObject({ expected_version: v3, status: 'pending', version: v2 });
    expect(again?.key).not.toBe(item.key);
    expect(await outbox.flush()).toMatchObject({ sent: 1 });
    expect(await aliasOnServer('conflict-test')).toBe(v2);
    expect((await db.outbox.get(item.key))?.status).toBe('discarded');
    expect((await aliasHistory('conflict-test')).map((h) => h.to_version)).toEqual([v2, v3, v1]);
  });

  it("marks a refused alias move as failed with the server's message and does not retry it", async () => {
    db = new PmmDb(`outbox-${Math.random()}`);
    const outbox = newOutbox(null);
    const item = await outbox.enqueueSetAlias({ alias: 'refused-test', version: v2, expectedVersion: null });
    expect(await outbox.flush()).toMatchObject({ failed: 1, offline: false });
    expect(sent.map((r) => r.status)).toEqual([401]);
    const message = (sent[0]!.answer as { error: { message: string } }).error.message;
    expect(message.length).toBeGreaterThan(0);
    expect(await db.outbox.get(item.key)).toMatchObject({ status: 'failed', last_error: message });
    expect(await outbox.flush()).toMatchObject({ sent: 0, failed: 0 });
    expect(sent).toHaveLength(1);
    expect(await aliasOnServer('refused-test')).toBeNull();
  });

  async function notesOnServer(subjectId: string) {
    const q = new URLSearchParams({ subject_type: 'model', subject_id: subjectId });
    const { notes } = await server.call<{ notes: { id: string; text: string; author: string }[] }>(
      'GET',
      `/v1/notes?${q}`,
      { token: READ_TOKEN },
    );
    return notes;
  }

  it('keeps a note queued while the server is down, sends it once in queue order, and syncs it back', async () => {
    db = new PmmDb(`outbox-notes-${Math.random()}`);
    const outbox = newOutbox();
    await server.stop();
    const move = await outbox.enqueueSetAlias({ alias: 'staging', version, expectedVersion: null });
    const note = await outbox.enqueueNote({
      subjectType: 'model',
      subjectId: version,
      text: 'AUC holds up on edge-2 traffic',
    });
    expect(note.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(await outbox.flush()).toMatchObject({ sent: 0, offline: true });
    expect((await db.outbox.get(note.key))?.status).toBe('pending');
    // Shown at once, from the outbox.
    expect(await notesOf(db, version)).toMatchObject([
      { id: note.key, state: 'pending', source: 'outbox', author: null },
    ]);

    await server.restart();
    expect(await outbox.flush()).toMatchObject({ sent: 2, offline: false });
    expect(await outbox.flush()).toMatchObject({ sent: 0 });
    // The alias move first (queued first), then the note: one request each.
    expect(sent.map((r) => [new URL(r.url).pathname, r.status])).toEqual([
      [`/v1/models/${encodeURIComponent(version)}/aliases`, 200],
      ['/v1/notes', 201],
    ]);
    expect(sent[1]!.body).toEqual({
      id: note.key,
      subject_type: 'model',
      subject_id: version,
      text: 'AUC holds up on edge-2 traffic',
    });
    expect(await db.outbox.get(move.key)).toMatchObject({ status: 'done' });
    expect(await db.outbox.get(note.key)).toMatchObject({ status: 'done', attempts: 1, last_error: null });
    const stored = await notesOnServer(version);
    expect(stored.filter((n) => n.id === note.key)).toEqual([
      expect.objectContaining({ text: 'AUC holds up on edge-2 traffic', author: 'admin:env-admin' }),
    ]);

    // Back through the notes shape: one note, now the server's copy (deduplicated with the outbox item).
    const engine = new SyncEngine({
      db,
      baseUrl: server.url,
      token: READ_TOKEN,
      tables: ['notes'],
      live: false,
    });
    await engine.start();
    await engine.whenUpToDate();
    await engine.stop();
    expect(await db.notes.get(note.key)).toMatchObject({
      subject_type: 'model',
      subject_id: version,
      author: 'admin:env-admin',
    });
    const shown = await notesOf(db, version);
    expect(shown.filter((n) => n.id === note.key)).toEqual([
      expect.objectContaining({ state: 'sent', source: 'server', author: 'admin:env-admin' }),
    ]);
  });

  it('makes a resend after a crash (same id) a no-op on the server', async () => {
    db = new PmmDb(`outbox-notes-${Math.random()}`);
    const outbox = newOutbox();
    const note = await outbox.enqueueNote({ subjectType: 'model', subjectId: version, text: 'sent twice' });
    await outbox.flush();
    // The app crashed after the server stored the note but before the outbox recorded it: still `sending`.
    await db.outbox.update(note.key, { status: 'sending' });
    await outbox.recover();
    expect(await outbox.flush()).toMatchObject({ sent: 1 });
    expect(sent.map((r) => [r.status, r.replayed])).toEqual([
      [201, null],
      [200, 'true'],
    ]);
    expect(sent.map((r) => (r.body as { id: string }).id)).toEqual([note.key, note.key]);
    expect((await notesOnServer(version)).filter((n) => n.text === 'sent twice')).toHaveLength(1);
    expect(await db.outbox.get(note.key)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('records a conflict when the id exists with other content, and lets the analyst discard it', async () => {
    db = new PmmDb(`outbox-notes-${Math.random()}`);
    const outbox = newOutbox();
    const id = crypto.randomUUID();
    await server.call('POST', '/v1/notes', {
      json: { id, subject_type: 'model', subject_id: version, text: 'the original' },
    });
    const note = await outbox.enqueueNote({
      id,
      subjectType: 'model',
      subjectId: version,
      text: 'another text',
    });
    expect(await outbox.flush()).toMatchObject({ conflicts: 1, sent: 0 });
    const conflict = await db.outbox.get(id);
    expect(conflict).toMatchObject({ status: 'conflict' });
    expect(conflict?.last_error).toContain('already exists');
    expect((await notesOf(db, version)).find((n) => n.id === id)).toMatchObject({ state: 'conflict' });
    // The server keeps its note.
    expect((await notesOnServer(version)).filter((n) => n.id === id).map((n) => n.text)).toEqual([
      'the original',
    ]);
    expect(await outbox.resolveConflict(note.key, 'discard')).toBeNull();
    expect((await db.outbox.get(id))?.status).toBe('discarded');
    expect((await notesOf(db, version)).find((n) => n.id === id)).toBeUndefined();
    expect(await outbox.flush()).toMatchObject({ sent: 0, conflicts: 0 });
  });

  it("marks a note on an unknown version, or an invalid one, as failed with the server's message", async () => {
    db = new PmmDb(`outbox-notes-${Math.random()}`);
    const outbox = newOutbox();
    const unknown = await outbox.enqueueNote({
      subjectType: 'model',
      subjectId: 'no-such-version',
      text: 'hi',
    });
    const tooLong = await outbox.enqueueNote({
      subjectType: 'model',
      subjectId: version,
      text: 'x'.repeat(4001),
    });
    expect(await outbox.flush()).toMatchObject({ failed: 2, offline: false });
    expect(sent.map((r) => r.status)).toEqual([404, 422]);
    expect(await db.outbox.get(unknown.key)).toMatchObject({ status: 'failed' });
    expect((await db.outbox.get(unknown.key))?.last_error).toContain('no-such-version is not registered');
    expect((await db.outbox.get(tooLong.key))?.status).toBe('failed');
    expect((await db.outbox.get(tooLong.key))?.last_error).toMatch(/text/);
    // Not retried.
    expect(await outbox.flush()).toMatchObject({ sent: 0, failed: 0 });
    expect(sent).toHaveLength(2);
    expect(await notesOnServer('no-such-version')).toEqual([]);
  });
});
