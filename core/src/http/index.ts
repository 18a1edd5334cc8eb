// @pmm/core/http: what pmm's HTTP services share — typed API errors, the one error handler, the OpenAPI app
// factory, body limits and bearer tokens (Hono's own middleware), and the base64 decoder.
export * from './api-errors';
export * from './artifact';
export * from './base64';
export * from './bearer';
export * from './body-limit';
export * from './on-error';
export * from './openapi';
