// The outbox: queued offline, sent once with its idempotency key, conflicts kept for the user to answer. Alias
// moves against a fake server; notes against the real sync server (child process), synced back by the engine.
import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ADMIN_TOKEN,
  loadModel,
  READ_TOKEN,
  type RealSyncServer,
  registerModel,
  startRealSyncServer,
} from '../../../test/real-sync-server';
import { PmmDb } from '../store/db';
import { notesOf } from '../store/notes';
import { SyncEngine } from './engine';
import { currentVersionOf, Outbox } from './outbox';

let db: PmmDb;
afterEach(async () => {
  await db?.delete();
});

interface Call {
  url: string;
  key: string | null;
  auth: string | null;
  body: unknown;
}

/** A server that applies each idempotency key once and answers 409 when expected_version is stale. */
function aliasServer(initial: Record<string, string>) {
  const aliases = { ...initial };
  const seen = new Map<string, unknown>();
  const calls: Call[] = [];
  let down = false;
  const fetchClient: typeof fetch = async (input, init) => {
    if (down) throw new TypeError('fetch failed');
    const headers = new Headers(init?.headers);
    const body = JSON.parse(String(init?.body)) as { alias: string; expected_version?: string };
    const url = String(input);
    calls.push({ url, key: headers.get('idempotency-key'), auth: headers.get('authorization'), body });
    const key = headers.get('idempotency-key')!;
    if (seen.has(key)) return Response.json(seen.get(key));
    const version = decodeURIComponent(url.split('/v1/models/')[1]!.split('/')[0]!);
    const current = aliases[body.alias] ?? null;
    if (body.expected_version !== undefined && body.expected_version !== current) {
      return Response.json(
        { error: { code: 'conflict', message: 'alias moved', details: { current_version: current } } },
        { status: 409 },
      );
    }
    aliases[body.alias] = version;
    const result = { alias: body.alias, version, previous_version: current };
    seen.set(key, result);
    return Response.json(result);
  };
  return {
    aliases,
    calls,
    fetchClient,
    setDown: (d: boolean) => {
      down = d;
    },
  };
}

describe('Outbox', () => {
  it('keeps a promotion queued while offline and sends it exactly once when back', async () => {
    db = new PmmDb(`outbox-${Math.random()}`);
    const server = aliasServer({ production: 'v1' });
    const outbox = new Outbox({
      db,
      baseUrl: 'http://sync.test/',
      adminToken: () => 'admin',
      fetchClient: server.fetchClient,
    });
    server.setDown(true);
    const item = await outbox.enqueueSetAlias({
      alias: 'production',
      version: 'v2',
      reason: 'better AUC',
      expectedVersion: 'v1',
    });
    expect(await outbox.flush()).toMatchObject({ sent: 0, offline: true });
    expect((await db.outbox.get(item.key))?.status).toBe('pending');

    server.setDown(false);
    expect(await outbox.flush()).toMatchObject({ sent: 1, offline: false });
    expect(await outbox.flush()).toMatchObject({ sent: 0 });
    expect(server.aliases['production']).toBe('v2');
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]).toMatchObject({
      url: 'http://sync.test/v1/models/v2/aliases',
      key: item.key,
      auth: 'Bearer admin',
      body: { alias: 'production', reason: 'better AUC', expected_version: 'v1' },
    });
    expect((await db.outbox.get(item.key))?.status).toBe('done');
  });

  it('resends an item a crash left in sending with the same key', async () => {
    db = new PmmDb(`outbox-${Math.random()}`);
    const server = aliasServer({ production: 'v1' });
    const outbox = new Outbox({
      db,
      baseUrl: 'http://sync.test',
      adminToken: () => 'admin',
      fetchClient: server.fetchClient,
    });
    const item = await outbox.enqueueSetAlias({ alias: 'production', version: 'v2', expectedVersion: 'v1' });
    await db.outbox.update(item.key, { status: 'sending' });
    await outbox.recover();
    await outbox.flush();
    expect(server.calls.map((c) => c.key)).toEqual([item.key]);
    expect(server.aliases['production']).toBe('v2');
  });

  it('records a conflict with the server version and applies it again only when the user says so', async () => {
    db = new PmmDb(`outbox-${Math.random()}`);
    const server = aliasServer({ production: 'v1' });
    const outbox = new Outbox({
      db,
      baseUrl: 'http://sync.test',
      adminToken: () => 'admin',
      fetchClient: server.fetchClient,
    });
    const item = await outbox.enqueueSetAlias({ alias: 'production', version: 'v2', expectedVersion: 'v1' });
    server.aliases['production'] = 'v3'; // someone else promoted meanwhile
    expect(await outbox.flush()).toMatchObject({ conflicts: 1 });
    const conflict = await db.outbox.get(item.key);
    expect(conflict).toMatchObject({ status: 'conflict', current_version: 'v3' });
    expect(server.aliases['production']).toBe('v3');

    const again = await outbox.resolveConflict(item.key, 'apply');
    expect(again).toMatchObject({ expected_version: 'v3', status: 'pending' });
    expect(again?.key).not.toBe(item.key);
    await outbox.flush();
    expect(server.aliases['production']).toBe('v2');
    expect((await db.outbox.get(item.key))?.status).toBe('discarded');
  });

  it('marks a refused write as failed and does not retry it', async () => {
    db = new PmmDb(`outbox-${Math.random()}`);
    const fetchClient: typeof fetch = async () =>
      Response.json({ error: { code: 'unauthorized', message: 'admin token required' } }, { status: 401 });
    const outbox = new Outbox({ db, baseUrl: 'http://sync.test', adminToken: () => null, fetchClient });
    const item = await outbox.enqueueSetAlias({ alias: 'production', version: 'v2', expectedVersion: 'v1' });
    expect(await outbox.flush()).toMatchObject({ failed: 1 });
    expect(await db.outbox.get(item.key)).toMatchObject({
      status: 'failed',
      last_error: 'admin token required',
    });
  });
});

describe('currentVersionOf', () => {
  it('finds the version in the usual error shapes', () => {
    expect(currentVersionOf({ error: { details: { current_version: 'v3' } } })).toBe('v3');
    expect(currentVersionOf({ current_version: 'v4' })).toBe('v4');
    expect(currentVersionOf(null)).toBeNull();
  });
});

describe('Outbox notes on the real sync server', () => {
  let server: RealSyncServer;
  let version: string;
  /** Every request the outbox sent, with the server's answer. */
  const sent: { url: string; body: unknown; status: number; replayed: string | null }[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    sent.push({
      url: String(input),
      body: JSON.parse(String(init?.body)),
      status: response.status,
      replayed: response.headers.get('idempotent-replayed'),
    });
    return response;
  };

  beforeAll(async () => {
    server = await startRealSyncServer();
    const model = await loadModel(inject('pmmModels').production);
    await registerModel(server, model);
    version = model.card.version;
  });

  afterAll(async () => {
    await server?.close();
  });

  afterEach(async () => {
    sent.length = 0;
    if (!server.running) await server.restart();
  });

  const newOutbox = () =>
    new Outbox({ db, baseUrl: server.url, adminToken: () => ADMIN_TOKEN, fetchClient: recordingFetch });

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
