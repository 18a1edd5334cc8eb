// Reading bodies under a limit: the status each refusal maps to, with and without a Content-Length.
import { describe, expect, it } from 'vitest';
import { ApiError, toErrorBody } from './api-errors';
import { isJsonType, readJsonBody } from './read-body';

const post = (body: string | ReadableStream<Uint8Array>, headers: Record<string, string>) =>
  new Request('http://x/', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return toErrorBody(error).status;
  }
}

function stream(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const chunk = new Uint8Array(Math.min(1024, bytes - sent)).fill(32);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

describe('readJsonBody', () => {
  it('parses JSON of any application/…json type', async () => {
    expect(
      await readJsonBody(post('{"a":1}', { 'content-type': 'application/json; charset=utf-8' }), 100),
    ).toEqual({ a: 1 });
    expect(isJsonType('application/merge-patch+json')).toBe(true);
    expect(isJsonType('text/json')).toBe(false);
  });

  it('answers 415 for another content type, 400 for malformed JSON', async () => {
    expect(await statusOf(readJsonBody(post('{}', { 'content-type': 'text/plain' }), 100))).toBe(415);
    expect(await statusOf(readJsonBody(post('{', { 'content-type': 'application/json' }), 100))).toBe(400);
  });

  it('answers 413 past the limit, from Content-Length or while streaming without one', async () => {
    expect(
      await statusOf(
        readJsonBody(post('[1,2,3]', { 'content-type': 'application/json', 'content-length': '101' }), 100),
      ),
    ).toBe(413);
    expect(
      await statusOf(readJsonBody(post(stream(10_000), { 'content-type': 'application/json' }), 4096)),
    ).toBe(413);
    expect(
      await statusOf(readJsonBody(post(stream(100), { 'content-type': 'application/json' }), 4096)),
    ).toBe(400);
  });
});
