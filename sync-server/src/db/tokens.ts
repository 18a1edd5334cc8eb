// API tokens: generated at random, stored as SHA-256 only, looked up by hash and compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
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

export async function findPrincipal(db: Db, token: string): Promise<Principal | null> {
  const hash = hashToken(token);
  const [row] = await db
    .select({ id: tokens.id, role: tokens.role, nodeId: tokens.nodeId, sha256: tokens.sha256 })
    .from(tokens)
    .where(and(eq(tokens.sha256, hash), isNull(tokens.revokedAt)))
    .limit(1);
  if (!row) return null;
  const a = Buffer.from(row.sha256, 'hex');
  const b = Buffer.from(hash, 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  return { tokenId: row.id, role: row.role as Role, nodeId: row.nodeId };
}

/** Inserts or replaces a token under a fixed id (the bootstrap tokens from the environment). */
export async function putToken(db: Db, id: string, role: Role, token: string, nodeId: string | null = null) {
  const sha256 = hashToken(token);
  await db
    .insert(tokens)
    .values({ id, role, nodeId, sha256 })
    .onConflictDoUpdate({ target: tokens.id, set: { role, nodeId, sha256, revokedAt: null } });
}
