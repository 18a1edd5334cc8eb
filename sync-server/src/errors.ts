// Typed API errors: each carries its HTTP status and a stable code; app.onError turns them into JSON.
import type { FieldIssue } from '@pmm/core/schema';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503;

export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly code: string,
    message: string,
    readonly details: readonly FieldIssue[] | Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class MalformedJsonError extends ApiError {
  constructor(message = 'request body is not valid JSON') {
    super(400, 'malformed_json', message);
    this.name = 'MalformedJsonError';
  }
}

export class BadRequestError extends ApiError {
  constructor(code: string, message: string) {
    super(400, code, message);
    this.name = 'BadRequestError';
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = 'a valid bearer token is required') {
    super(401, 'unauthorized', message);
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends ApiError {
  constructor(message: string) {
    super(403, 'forbidden', message);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, 'not_found', message);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends ApiError {
  constructor(code: string, message: string, details: Record<string, unknown> | null = null) {
    super(409, code, message, details);
    this.name = 'ConflictError';
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(limitBytes: number, what = 'request body') {
    super(413, 'payload_too_large', `${what} exceeds ${limitBytes} bytes`, { limit_bytes: limitBytes });
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor(expected: string, received: string | null) {
    super(415, 'unsupported_media_type', `Content-Type must be ${expected}`, {
      received: received ?? '(none)',
    });
    this.name = 'UnsupportedMediaTypeError';
  }
}

export class ValidationError extends ApiError {
  constructor(details: readonly FieldIssue[]) {
    const fields = details.map((d) => d.path).join(', ');
    super(422, 'validation_failed', `invalid request: ${fields}`, details);
    this.name = 'ValidationError';
  }
}

/** A model artifact was refused: unreadable card, bad base64, or an ONNX file that does not hash to the card. */
export class ArtifactRejectedError extends ApiError {
  constructor(
    reason: 'invalid_card' | 'invalid_artifact' | 'sha256_mismatch',
    message: string,
    details: readonly FieldIssue[] | null = null,
  ) {
    super(422, reason, message, details);
    this.name = 'ArtifactRejectedError';
  }
}

export class UnavailableError extends ApiError {
  constructor(code: string, message: string) {
    super(503, code, message);
    this.name = 'UnavailableError';
  }
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details: unknown };
}

/** The SQLSTATE of a PostgreSQL error (PGlite's or postgres-js's), also when drizzle wrapped it. */
export function sqlState(err: unknown): string | null {
  for (
    let e = err, depth = 0;
    e && typeof e === 'object' && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}

/**
 * The JSON body for any thrown value. A value PostgreSQL refused (SQLSTATE class 22) is the client's 422 and a
 * constraint it broke (class 23, e.g. a concurrent duplicate) a 409; anything else is an opaque 500, never a stack.
 */
export function toErrorBody(err: unknown): { status: ErrorStatus; body: ErrorBody } {
  const state = err instanceof ApiError ? null : sqlState(err);
  if (state?.startsWith('22')) {
    err = new ApiError(422, 'invalid_value', 'the database refused a value of this request', {
      sqlstate: state,
    });
  } else if (state?.startsWith('23')) {
    err = new ConflictError('constraint_violation', 'the request conflicts with stored data', {
      sqlstate: state,
    });
  }
  if (err instanceof ApiError) {
    return {
      status: err.status,
      body: { error: { code: err.code, message: err.message, details: err.details } },
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: 'internal error', details: null } },
  };
}
