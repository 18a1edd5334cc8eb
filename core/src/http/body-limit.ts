// Request bodies under a limit, with Hono's own bodyLimit: 415 for a body that is not JSON, 413 past the limit.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from './api-errors';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** `application/json` or any `application/…+json`, with or without parameters. */
export function isJsonType(type: string | null | undefined): boolean {
  return !!type && JSON_TYPE.test(type);
}

/** Hono's bodyLimit (Content-Length checked first, else counted while streaming) refusing with our 413. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(maxBytes);
    },
  });
}

/**
 * A JSON body of at most `maxBytes`: 415 for another Content-Type (or none), then 413 past the limit. The
 * route's validator parses it once (`c.req.json()`); malformed JSON becomes a 400 in `onApiError`.
 */
export function jsonBodyLimit(maxBytes: number): MiddlewareHandler {
  const limit = limitBody(maxBytes);
  return async (c, next) => {
    const type = c.req.header('content-type') ?? null;
    if (!isJsonType(type)) throw new UnsupportedMediaTypeError('application/json', type);
    return limit(c, next);
  };
}

/** `jsonBodyLimit`, except that a request with neither a Content-Type nor a body passes (the route reads `{}`). */
export function optionalJsonBodyLimit(maxBytes: number): MiddlewareHandler {
  const json = jsonBodyLimit(maxBytes);
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (!c.req.header('content-type') && (!c.req.raw.body || length === '0')) return next();
    return json(c, next);
  };
}
