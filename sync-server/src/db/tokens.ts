// API tokens: generated at random, stored as SHA-256 only, compared as hashes in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isNull } from 'drizzle-orm';
import type { Db } from './client';
import { tokens } from './schema';

export type Role = 'admin' | 'read' | 'ingest';

export interface Principal {
  readonly tokenId: string;
  readonly role: Role;
  /** Ingest tokens: the node they belong to. */
  readonly nodeId: string | null;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new secret: `pmm_` + 32 random bytes, base64url. */
export function generateToken(): string {
  return `pmm_${randomBytes(32).toString('base64url')}`;
}

export function generateTokenId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

export interface StoredToken {
  readonly id: string;
  readonly role: string;
  readonly nodeId: string | null;
  /** SHA-256 of the token, hex. */
  readonly sha256: string;
}

/**
 * The stored token the presented one hashes to, or null. The presented token is hashed and compared with every
 * stored hash by `timingSafeEqual`, without an early exit, so the time taken does not depend on which one matched.
 */
export function matchToken(stored: readonly StoredToken[], presented: string): Principal | null {
  const presentedHash = createHash('sha256').update(presented, 'utf8').digest();
  let match: StoredToken | null = null;
  for (const row of stored) {
    const storedHash = Buffer.from(row.sha256, 'hex');
    const equal = storedHash.length === presentedHash.length && timingSafeEqual(storedHash, presentedHash);
    if (equal && !match) match = row;
  }
  return match ? { tokenId: match.id, role: match.role as Role, nodeId: match.nodeId } : null;
}

/** The principal of a presented bearer token among the tokens not revoked (a handful: admin, read, one per node). */
export async function findPrincipal(db: Db, token: string): Promise<Principal | null> {
  const active = await db
    .select({ id: tokens.id, role: tokens.role, nodeId: tokens.nodeId, sha256: tokens.sha256 })
    .from(tokens)
    .where(isNull(tokens.revokedAt));
  return matchToken(active, token);
}

/** Inserts or replaces a token under a fixed id (the bootstrap tokens from the environment). */
export async function putToken(db: Db, id: string, role: Role, token: string, nodeId: string | null = null) {
  const sha256 = hashToken(token);
  await db
    .insert(tokens)
    .values({ id, role, nodeId, sha256 })
    .onConflictDoUpdate({ target: tokens.id, set: { role, nodeId, sha256, revokedAt: null } });
}
