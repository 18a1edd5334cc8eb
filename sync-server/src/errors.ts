// Database refusals as API errors: a value PostgreSQL refused is the client's 422, a broken constraint a 409.
// Every API error type is core's (`@pmm/core/http`).
import { ApiError, ConflictError } from '@pmm/core/http';

// routes/models.ts still imports these two from here.
export { ConflictError, NotFoundError } from '@pmm/core/http';

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
 * The API error a database refusal stands for: SQLSTATE class 22 (a value refused) is a 422, class 23 (a
 * constraint broken, e.g. a concurrent duplicate) a 409; anything else is not the client's (null: a 500).
 */
export function databaseError(err: unknown): ApiError | null {
  const state = sqlState(err);
  if (state?.startsWith('22')) {
    return new ApiError(422, 'invalid_value', 'the database refused a value of this request', {
      sqlstate: state,
    });
  }
  if (state?.startsWith('23')) {
    return new ConflictError('constraint_violation', 'the request conflicts with stored data', {
      sqlstate: state,
    });
  }
  return null;
}
