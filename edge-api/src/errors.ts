// Typed API errors: each carries its HTTP status and a stable code; app.onError turns them into JSON.
import type { FieldIssue } from '@pmm/core/schema';

export type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 415 | 422 | 500 | 503;

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

export class UnauthorizedError extends ApiError {
  constructor(message = 'a valid bearer token is required') {
    super(401, 'unauthorized', message);
    this.name = 'UnauthorizedError';
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, 'not_found', message);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends ApiError {
  constructor(code: string, message: string) {
    super(409, code, message);
    this.name = 'ConflictError';
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `request body exceeds ${limitBytes} bytes`, { limit_bytes: limitBytes });
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor(received: string | null) {
    super(415, 'unsupported_media_type', 'Content-Type must be application/json', {
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

/** A pushed or pulled model was refused (bad checksum, unreadable ONNX, canary out of range). */
export class ModelRejectedError extends ApiError {
  constructor(
    reason: 'sha256_mismatch' | 'invalid_artifact' | 'canary_failed' | 'invalid_card',
    message: string,
  ) {
    super(422, reason, message);
    this.name = 'ModelRejectedError';
  }
}

export class NoModelError extends ApiError {
  constructor(message = 'no model is installed on this node') {
    super(503, 'no_model', message);
    this.name = 'NoModelError';
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
