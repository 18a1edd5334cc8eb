// Bearer-token authorisation (Hono's bearerAuth via core): 401 without a known token, 403 for the wrong role.
import { bearer, ForbiddenError } from '@pmm/core/http';
import type { Context, MiddlewareHandler } from 'hono';
import { findPrincipal, type Principal, type Role } from './db/tokens';
import type { Services } from './services';

export type AppEnv = { Variables: { principal: Principal } };

/** Admits tokens whose role is in `roles` (admin is always admitted). */
export function requireRole(services: Services, ...roles: Role[]): MiddlewareHandler<AppEnv> {
  const authenticate = bearer<Context<AppEnv>>(async (token, c) => {
    const principal = await findPrincipal(services.require().database.db, token);
    if (principal) c.set('principal', principal);
    return principal !== null;
  });
  return async (c, next) =>
    authenticate(c, async () => {
      const { role } = c.get('principal');
      if (role !== 'admin' && !roles.includes(role)) {
        throw new ForbiddenError(`a ${role} token may not ${c.req.method} ${c.req.path}`);
      }
      await next();
    });
}

/** How a principal appears in alias_history and registered_by. */
export function actorOf(principal: Principal): string {
  return `${principal.role}:${principal.tokenId}`;
}
