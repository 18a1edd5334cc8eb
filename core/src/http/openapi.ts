// The one OpenAPI app factory: zod-openapi routes whose validation failures are a 422 naming the field,
// the shared error handler and 404, and the helpers routes declare their bodies and answers with.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { toFieldIssues } from '../schema/validator';
import { ValidationError } from './api-errors';
import { type ErrorHandling, notFoundAsJson, onApiError } from './on-error';

/** An OpenAPIHono app with the shared validation hook, `onError` and `notFound`, and the bearer scheme. */
export function createApiApp<E extends Env>(handling: ErrorHandling = {}): OpenAPIHono<E> {
  const app = new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) throw new ValidationError(toFieldIssues(result.error));
    },
  });
  app.onError(onApiError(handling));
  app.notFound(notFoundAsJson);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  return app;
}

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown(),
    }),
  })
  .openapi('Error');

/** Error responses for the OpenAPI document, one per status. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: `Error (${s})`, content: { 'application/json': { schema: errorSchema } } },
    ]),
  );

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T, description: string) => ({
  required: true,
  description,
  content: { 'application/json': { schema } },
});

/** A JSON response. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A route's `security`: the bearer scheme `createApiApp` registers. */
export const bearerSecurity = [{ bearer: [] }];
