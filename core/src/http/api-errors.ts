// Typed API errors shared by pmm's HTTP services: each carries its status and a stable code, and
// `toErrorBody` turns any thrown value into the one JSON error shape `{ error: { code, message, details } }`.
import type { FieldIssue } from '../schema/validator';

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

/** Why a model artifact was refused: its card, its bytes, their checksum, or (at the edge) the canary row. */
export type ArtifactRejection =
  | 'invalid_card'
  | 'invalid_artifact'
  | 'sha256_mismatch'
  | 'canary_failed'
  | 'engine_unsupported';

/** A pushed, pulled or uploaded model was refused: unreadable card, bad base64 or ONNX, checksum, canary. */
export class ArtifactRejectedError extends ApiError {
  constructor(reason: ArtifactRejection, message: string, details: readonly FieldIssue[] | null = null) {
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

export class NoModelError extends ApiError {
  constructor(message = 'no model is installed on this node') {
    super(503, 'no_model', message);
    this.name = 'NoModelError';
  }
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details: unknown };
}

/** The JSON body for any thrown value; unknown errors become an opaque 500 (never a stack trace). */
export function toErrorBody(err: unknown): { status: ErrorStatus; body: ErrorBody } {
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
