// Shared pieces of route declarations: core's error schema and response helpers, and the JSON body limit.
import { bearerSecurity, jsonBodyLimit } from '@pmm/core/http';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../auth';

export { errorSchema, errors, json, jsonBody } from '@pmm/core/http';

export const bearer = bearerSecurity;

/** A JSON body of at most `limit` bytes (415 / 413 before the route's validator parses it once). */
export const readBody = (limit: number): MiddlewareHandler<AppEnv> => jsonBodyLimit(limit);
