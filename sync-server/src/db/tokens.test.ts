// Token checks: the presented token's hash against the stored ones — a wrong, empty or revoked token is refused.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../test/harness';
import { findPrincipal, matchToken, putToken, type StoredToken } from './tokens';

// The hashes are computed here independently of `hashToken`, so a token check that hashed nothing would fail.
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const stored: StoredToken[] = [
  { id: 'env-admin', role: 'admin', nodeId: null, sha256: sha256('the-admin-token-0123456789') },
  { id: 'ingest-1', role: 'ingest', nodeId: 'edge-1', sha256: sha256('the-ingest-token-0123456789') },
];

describe('matchToken', () => {
  it('admits the token whose hash is stored, as its own principal', () => {
    expect(matchToken(stored, 'the-admin-token-0123456789')).toEqual({
      tokenId: 'env-admin',
      role: 'admin',
      nodeId: null,
    });
    expect(matchToken(stored, 'the-ingest-token-0123456789')).toEqual({
      tokenId: 'ingest-1',
      role: 'ingest',
      nodeId: 'edge-1',
    });
  });

  it('refuses a wrong token, an empty one, a stored hash presented as the token, and a token of another case', () => {
    for (const wrong of ['wrong-token', '', stored[0]!.sha256, 'THE-ADMIN-TOKEN-0123456789']) {
      expect(matchToken(stored, wrong)).toBeNull();
    }
    expect(matchToken([], 'the-admin-token-0123456789')).toBeNull();
  });
});

describe('findPrincipal', () => {
  let store: TestDatabase;
  beforeAll(async () => {
    store = await openTestDatabase();
    await putToken(store.database.db, 'env-read', 'read', 'a-read-token-0123456789');
    await putToken(store.database.db, 'old-read', 'read', 'a-revoked-token-0123456789');
    await store.database.db.execute(sql`update tokens set revoked_at = now() where id = 'old-read'`);
  });
  afterAll(() => store?.cleanup());

  it('finds a stored token and refuses a wrong or revoked one', async () => {
    const { db } = store.database;
    expect(await findPrincipal(db, 'a-read-token-0123456789')).toMatchObject({
      tokenId: 'env-read',
      role: 'read',
    });
    expect(await findPrincipal(db, 'a-read-token-0123456780')).toBeNull();
    expect(await findPrincipal(db, 'a-revoked-token-0123456789')).toBeNull();
  });
});
