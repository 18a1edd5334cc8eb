// Bearer-token authorisation: 401 without a known token, 403 when the token's role may not do this.
import type { MiddlewareHandler } from 'hono';
import { findPrincipal, type Principal, type Role } from './db/tokens';
import { ForbiddenError, UnauthorizedError } from './errors';
import type { Services } from './services';

export type AppEnv = { Variables: { principal: Principal } };

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Admits tokens whose role is in `roles` (admin is always admitted). */
export function requireRole(services: Services, ...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { database } = services.require();
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    const principal = match ? await findPrincipal(database.db, match[1]!) : null;
    if (!principal) {
      c.header('WWW-Authenticate', 'Bearer realm="pmm"');
      throw new UnauthorizedError();
    }
    if (principal.role !== 'admin' && !roles.includes(principal.role)) {
      throw new ForbiddenError(`a ${principal.role} token may not ${c.req.method} ${c.req.path}`);
    }
    c.set('principal', principal);
    await next();
  };
}

/** How a principal appears in alias_history and registered_by. */
export function actorOf(principal: Principal): string {
  return `${principal.role}:${principal.tokenId}`;
}
