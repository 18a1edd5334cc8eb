// Bearer-token check for /admin/*, in constant time with respect to the token's content and length.
import { UnauthorizedError } from './errors';

async function digest(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)));
}

/** Compares the SHA-256 digests of both strings byte by byte without an early exit. */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([digest(a), digest(b)]);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

/** Throws 401 unless `Authorization: Bearer <expected>`; with no token configured every request is refused. */
export async function requireBearer(authorization: string | null | undefined, expected: string | undefined) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const presented = match?.[1] ?? '';
  const ok = await constantTimeEqual(presented, expected ?? '');
  if (!expected || !match || !ok) throw new UnauthorizedError();
}
