// Bearer tokens with Hono's own bearerAuth: every refusal (no header, a malformed one, an unknown token) is our 401.
import type { Context, MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { timingSafeEqual } from 'hono/utils/buffer';
import { toErrorBody, UnauthorizedError } from './api-errors';

const REALM = 'pmm';

const unauthorized = () => {
  const { status, body } = toErrorBody(new UnauthorizedError());
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'www-authenticate': `Bearer realm="${REALM}"` },
  });
};

/**
 * Admits a request whose `Authorization: Bearer <token>` passes `verify` (which may set context variables,
 * e.g. the principal); anything else is a 401 `unauthorized` with `WWW-Authenticate: Bearer realm="pmm"`.
 */
export function bearer<C extends Context = Context>(
  verify: (token: string, c: C) => boolean | Promise<boolean>,
): MiddlewareHandler {
  return bearerAuth({
    realm: REALM,
    verifyToken: (token, c) => verify(token, c as C),
    noAuthenticationHeader: { message: unauthorized },
    invalidAuthenticationHeader: { message: unauthorized },
    invalidToken: { message: unauthorized },
  });
}

/** Compares a presented token with the configured one in constant time; no configured token admits nobody. */
export async function tokenMatches(presented: string, expected: string | undefined): Promise<boolean> {
  if (!expected) return false;
  return timingSafeEqual(expected, presented);
}
