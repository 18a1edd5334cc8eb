// The sync server's API errors: the shared ones from core, plus its own (artifacts, database refusals).
import {
  ApiError,
  ConflictError,
  type ErrorBody,
  type ErrorStatus,
  toErrorBody as toSharedErrorBody,
} from '@pmm/core/http';
import type { FieldIssue } from '@pmm/core/schema';

export {
  ApiError,
  BadRequestError,
  ConflictError,
  type ErrorBody,
  type ErrorStatus,
  ForbiddenError,
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '@pmm/core/http';

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
    return toSharedErrorBody(
      new ApiError(422, 'invalid_value', 'the database refused a value of this request', { sqlstate: state }),
    );
  }
  if (state?.startsWith('23')) {
    return toSharedErrorBody(
      new ConflictError('constraint_violation', 'the request conflicts with stored data', {
        sqlstate: state,
      }),
    );
  }
  return toSharedErrorBody(err);
}
