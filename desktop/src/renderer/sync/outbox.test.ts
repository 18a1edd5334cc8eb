// The outbox: queued offline, sent once with its idempotency key, conflicts kept for the user to answer.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { PmmDb } from '../store/db';
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
