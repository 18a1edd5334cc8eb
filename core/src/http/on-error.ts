// The one error handler of pmm's HTTP services: every thrown value becomes `{ error: { code, message, details } }`.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ArtifactError } from '../model/artifact';
import {
  ApiError,
  type ErrorStatus,
  MalformedJsonError,
  NotFoundError,
  toErrorBody,
  UnsupportedMediaTypeError,
} from './api-errors';
import { artifactRejection } from './artifact';

export interface ErrorHandling {
  /** An app's own translation of errors it knows (a misconfiguration, a database refusal) into ApiErrors. */
  readonly map?: (err: unknown) => ApiError | null;
  /** Called for every error answered; by default a 500 is logged with its stack (the client never sees it). */
  readonly log?: (err: unknown, c: Context, status: ErrorStatus) => void;
}

const logInternal: NonNullable<ErrorHandling['log']> = (err, c, status) => {
  if (status === 500) console.error(`${c.req.method} ${c.req.path} failed:`, err);
};

/** The ApiError a thrown value stands for (Hono's own exceptions and core's artifact refusals included). */
export function asApiError(err: unknown, c: Context, map?: ErrorHandling['map']): unknown {
  if (err instanceof ApiError) return err;
  const mapped = map?.(err);
  if (mapped) return mapped;
  if (err instanceof ArtifactError) return artifactRejection(err);
  if (err instanceof HTTPException) {
    if (err.status === 400 && /json/i.test(err.message)) return new MalformedJsonError();
    if (err.status === 415) {
      return new UnsupportedMediaTypeError('application/json', c.req.header('content-type') ?? null);
    }
    const status = ([400, 401, 403, 404, 409, 413, 415, 422] as const).find((s) => s === err.status) ?? 400;
    return new ApiError(status, 'bad_request', err.message || 'request refused');
  }
  return err;
}

/** `app.onError(onApiError(...))`: a Response an exception carries (bearerAuth's 401) is sent as it is. */
export function onApiError(handling: ErrorHandling = {}): ErrorHandler {
  return (err, c) => {
    if (err instanceof HTTPException && err.res) return err.getResponse();
    const { status, body } = toErrorBody(asApiError(err, c, handling.map));
    (handling.log ?? logInternal)(err, c, status);
    return c.json(body, status);
  };
}

/** `app.notFound(notFoundAsJson)`: a 404 `not_found` naming the method and path. */
export const notFoundAsJson: NotFoundHandler = (c) => {
  const { status, body } = toErrorBody(new NotFoundError(`no route for ${c.req.method} ${c.req.path}`));
  return c.json(body, status);
};
