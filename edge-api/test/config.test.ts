// The edge's configuration; body limits and bearer tokens are core's (core/src/http/plumbing.test.ts) and are
// driven through the worker in worker.test.ts.
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/env';

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

  it("takes DEFAULT_MODEL ('churn' when unset) and refuses one that is not a model name", () => {
    expect(readConfig({ ...base }).defaultModel).toBe('churn');
    expect(readConfig({ ...base, DEFAULT_MODEL: '' }).defaultModel).toBe('churn');
    expect(readConfig({ ...base, DEFAULT_MODEL: 'fraud-2' }).defaultModel).toBe('fraud-2');
    expect(() => readConfig({ ...base, DEFAULT_MODEL: 'Fraud Model' })).toThrow(/DEFAULT_MODEL/);
  });

  it('refuses a missing NODE_ID or a SYNC_URL that is not http(s)', () => {
    expect(() => readConfig({ ...base, NODE_ID: '' })).toThrow(/NODE_ID/);
    expect(() => readConfig({ ...base, SYNC_URL: 'ftp://x' })).toThrow(/SYNC_URL/);
  });
});
