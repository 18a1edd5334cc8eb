// Framework-free pieces: the body reader (limits, content types), the bearer check and the configuration.
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, requireBearer } from '../src/auth';
import { readJsonBody } from '../src/body';
import { readConfig } from '../src/env';

const post = (body: BodyInit | null, type: string | null = 'application/json') =>
  new Request('http://x/', { method: 'POST', body, headers: type ? { 'content-type': type } : {} });

describe('readJsonBody', () => {
  it('parses JSON under the limit, including +json types and a charset', async () => {
    expect(await readJsonBody(post('{"a":1}'), 100)).toEqual({ a: 1 });
    expect(await readJsonBody(post('[1]', 'application/merge-patch+json'), 100)).toEqual([1]);
    expect(await readJsonBody(post('null', 'application/json; charset=utf-8'), 100)).toBeNull();
  });

  it('415 for another or no content type, 413 past the limit (declared or streamed), 400 for bad JSON', async () => {
    await expect(readJsonBody(post('{}', 'text/plain'), 100)).rejects.toMatchObject({ status: 415 });
    await expect(readJsonBody(post('{}', null), 100)).rejects.toMatchObject({ status: 415 });
    await expect(readJsonBody(post('x'.repeat(101)), 100)).rejects.toMatchObject({ status: 413 });
    const stream = new Blob(['[', '1,'.repeat(100), '1]']).stream();
    await expect(readJsonBody(post(stream), 100)).rejects.toMatchObject({ status: 413 });
    await expect(readJsonBody(post('{'), 100)).rejects.toMatchObject({ status: 400, code: 'malformed_json' });
    await expect(readJsonBody(post(''), 100)).rejects.toMatchObject({ status: 400 });
  });
});

describe('bearer token', () => {
  it('accepts only the exact token, and nothing when no token is configured', async () => {
    expect(await constantTimeEqual('abc', 'abc')).toBe(true);
    expect(await constantTimeEqual('abc', 'abd')).toBe(false);
    expect(await constantTimeEqual('abc', 'abcd')).toBe(false);
    await expect(
      requireBearer('Bearer s3cret-token-0123456789', 's3cret-token-0123456789'),
    ).resolves.toBeUndefined();
    await expect(
      requireBearer('bearer s3cret-token-0123456789', 's3cret-token-0123456789'),
    ).resolves.toBeUndefined();
    for (const header of [null, '', 'Bearer', 'Bearer wrong', 's3cret-token-0123456789', 'Basic s3cret']) {
      await expect(requireBearer(header, 's3cret-token-0123456789')).rejects.toMatchObject({ status: 401 });
    }
    await expect(requireBearer('Bearer ', undefined)).rejects.toMatchObject({ status: 401 });
    await expect(requireBearer('Bearer anything', undefined)).rejects.toMatchObject({ status: 401 });
  });
});

describe('readConfig', () => {
  const base = {
    DB: {} as D1Database,
    MODELS: {} as KVNamespace,
    SYNC_URL: 'http://127.0.0.1:8788/',
    NODE_ID: 'n1',
  };

  it('normalises SYNC_URL and disables admin for a missing or short token', () => {
    expect(readConfig({ ...base, EDGE_ADMIN_TOKEN: 'x'.repeat(16) })).toMatchObject({
      syncUrl: 'http://127.0.0.1:8788',
      nodeId: 'n1',
      adminToken: 'x'.repeat(16),
      ingestToken: undefined,
    });
    expect(readConfig({ ...base, EDGE_ADMIN_TOKEN: 'short' }).adminToken).toBeUndefined();
    expect(readConfig({ ...base }).adminToken).toBeUndefined();
  });

  it('refuses a missing NODE_ID or a SYNC_URL that is not http(s)', () => {
    expect(() => readConfig({ ...base, NODE_ID: '' })).toThrow(/NODE_ID/);
    expect(() => readConfig({ ...base, SYNC_URL: 'ftp://x' })).toThrow(/SYNC_URL/);
  });
});
