// The shared HTTP plumbing, driven through a small app: body limits (with and without a Content-Length), bearer
// tokens, the 422 naming the field, the one error shape for Hono's own exceptions and core's artifact refusals.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { ArtifactError } from '../model/artifact';
import { ApiError, ConflictError } from './api-errors';
import { decodeBase64 } from './base64';
import { bearer, tokenMatches } from './bearer';
import { jsonBodyLimit, optionalJsonBodyLimit } from './body-limit';
import { createApiApp, errors, jsonBody } from './openapi';

const TOKEN = 's3cret-token-0123456789';
type E = { Variables: { who: string } };

function testApp(adminToken: string | undefined = TOKEN) {
  const app = createApiApp<E>({
    map: (err) => (err instanceof RangeError ? new ConflictError('mapped', err.message) : null),
    log: () => undefined,
  });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/echo',
      middleware: [jsonBodyLimit(100)] as const,
      request: { body: jsonBody(z.strictObject({ n: z.number().int() }), 'n') },
      responses: { 200: { description: 'n' }, ...errors(400, 413, 415, 422) },
    }),
    (c) => c.json({ n: c.req.valid('json').n }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/optional',
      middleware: [optionalJsonBodyLimit(100)] as const,
      request: {
        body: { required: false, content: { 'application/json': { schema: z.object({ n: z.number() }) } } },
      },
      responses: { 200: { description: 'n or nothing' } },
    }),
    (c) => c.json({ body: c.req.valid('json') }, 200),
  );
  app.use(
    '/admin/*',
    bearer<Context<E>>(async (token, c) => {
      c.set('who', 'admin');
      return tokenMatches(token, adminToken);
    }),
  );
  app.get('/admin/who', (c) => c.json({ who: c.get('who') }));
  app.get('/throw/:what', (c) => {
    const what = c.req.param('what');
    if (what === 'http') throw new HTTPException(409, { message: 'hono said no' });
    if (what === 'artifact') throw new ArtifactError('model.json: version: required', 'invalid_card', []);
    if (what === 'mapped') throw new RangeError('out of range');
    if (what === 'api') throw new ApiError(403, 'forbidden', 'no');
    throw new Error('secret internals');
  });
  return app;
}

async function errorOf(response: Response) {
  const body = (await response.json()) as { error: { code: string; message: string; details: unknown } };
  return { status: response.status, ...body.error };
}

const post = (
  path: string,
  body: string | ReadableStream<Uint8Array> | null,
  headers: Record<string, string> = {},
) => testApp().request(path, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
const asJson = { 'content-type': 'application/json' };

function stream(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + 16));
      at += 16;
    },
  });
}

describe('JSON bodies', () => {
  it('passes a JSON body of any application/…json type to the validator', async () => {
    expect(await (await post('/echo', '{"n":7}', asJson)).json()).toEqual({ n: 7 });
    const merge = await post('/echo', '{"n":8}', { 'content-type': 'application/merge-patch+json' });
    expect(await merge.json()).toEqual({ n: 8 });
  });

  it('answers 415 for another content type or none, 400 for malformed or empty JSON', async () => {
    expect(await errorOf(await post('/echo', '{"n":7}', { 'content-type': 'text/plain' }))).toMatchObject({
      status: 415,
      code: 'unsupported_media_type',
      details: { received: 'text/plain' },
    });
    expect(await errorOf(await post('/echo', '{"n":7}'))).toMatchObject({ status: 415 });
    for (const bad of ['{"n":', '']) {
      expect(await errorOf(await post('/echo', bad, asJson))).toEqual({
        status: 400,
        code: 'malformed_json',
        message: 'request body is not valid JSON',
        details: null,
      });
    }
  });

  it('answers 413 past the limit, from the Content-Length or while streaming without one', async () => {
    const big = JSON.stringify({ n: 1, pad: 'x'.repeat(200) });
    expect(await errorOf(await post('/echo', big, asJson))).toEqual({
      status: 413,
      code: 'payload_too_large',
      message: 'request body exceeds 100 bytes',
      details: { limit_bytes: 100 },
    });
    expect((await errorOf(await post('/echo', stream(big), asJson))).status).toBe(413);
    // Streamed and under the limit: read in full and validated.
    expect(await (await post('/echo', stream('{"n":3}'), asJson)).json()).toEqual({ n: 3 });
  });

  it('answers 422 naming each bad field', async () => {
    expect(await errorOf(await post('/echo', '{"n":1.5,"m":2}', asJson))).toMatchObject({
      status: 422,
      code: 'validation_failed',
      message: 'invalid request: n, m',
      details: [
        { path: 'n', message: expect.any(String) },
        { path: 'm', message: 'unknown field' },
      ],
    });
  });

  it('an optional body may be absent, but a present one is checked', async () => {
    expect(await (await post('/optional', null)).json()).toEqual({ body: {} });
    expect(await (await post('/optional', '{"n":2}', asJson)).json()).toEqual({ body: { n: 2 } });
    expect((await errorOf(await post('/optional', 'n=2', { 'content-type': 'text/plain' }))).status).toBe(
      415,
    );
  });
});

describe('bearer tokens', () => {
  const get = (authorization: string | null, adminToken?: string) =>
    testApp(adminToken).request('/admin/who', { headers: authorization ? { authorization } : {} });

  it('admits the exact token, in either case of the scheme, and lets verify set variables', async () => {
    for (const header of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`]) {
      const response = await get(header);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ who: 'admin' });
    }
  });

  it('refuses everything else with one 401 shape and a WWW-Authenticate challenge', async () => {
    const refused = [
      null,
      '',
      'Bearer',
      'Bearer ',
      'Bearer wrong',
      TOKEN,
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN}x`,
    ];
    for (const header of refused) {
      const response = await get(header);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="pmm"');
      expect(await errorOf(response)).toEqual({
        status: 401,
        code: 'unauthorized',
        message: 'a valid bearer token is required',
        details: null,
      });
    }
  });

  it('admits nobody when no token is configured', async () => {
    expect((await get('Bearer anything', undefined)).status).toBe(401);
    expect(await tokenMatches('', undefined)).toBe(false);
    expect(await tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(await tokenMatches(`${TOKEN} `, TOKEN)).toBe(false);
  });
});

describe('onError and notFound', () => {
  const get = (path: string) => testApp().request(path);

  it("turns Hono's exceptions, core's artifact refusals and the app's own mapping into the one shape", async () => {
    expect(await errorOf(await get('/throw/http'))).toEqual({
      status: 409,
      code: 'bad_request',
      message: 'hono said no',
      details: null,
    });
    expect(await errorOf(await get('/throw/artifact'))).toMatchObject({ status: 422, code: 'invalid_card' });
    expect(await errorOf(await get('/throw/mapped'))).toMatchObject({ status: 409, code: 'mapped' });
    expect(await errorOf(await get('/throw/api'))).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('answers an unknown error with an opaque 500 and an unknown route with a 404 naming it', async () => {
    const internal = await get('/throw/boom');
    expect(await internal.text()).not.toContain('secret');
    expect(internal.status).toBe(500);
    expect(await errorOf(await testApp().request('/nowhere', { method: 'DELETE' }))).toEqual({
      status: 404,
      code: 'not_found',
      message: 'no route for DELETE /nowhere',
      details: null,
    });
  });
});

describe('decodeBase64', () => {
  it('decodes standard padded base64 (whitespace ignored) back to the bytes encoded', () => {
    const bytes = new Uint8Array(256).map((_, i) => (i * 37) % 256);
    // btoa over the binary string is the reference encoder here (Buffer is not available in core).
    const encoded = btoa(String.fromCharCode(...bytes));
    expect(decodeBase64(encoded, 'onnx_base64')).toEqual(bytes);
    expect(decodeBase64(`${encoded.slice(0, 40)}\n${encoded.slice(40)}`, 'onnx_base64')).toEqual(bytes);
    expect(decodeBase64('cG1t', 'onnx_base64')).toEqual(new Uint8Array([112, 109, 109]));
    expect(decodeBase64('', 'onnx_base64')).toEqual(new Uint8Array());
  });

  it('refuses anything else with a 422 invalid_artifact naming the field', () => {
    for (const bad of ['cG1', 'cG1t!', 'c===', 'cG1t-_8=']) {
      expect(() => decodeBase64(bad, 'onnx_base64')).toThrow(
        expect.objectContaining({
          status: 422,
          code: 'invalid_artifact',
          message: 'onnx_base64 is not valid base64',
        }),
      );
    }
  });
});
