// Configuration: defaults, validation, and the one-line refusal of the real entry point.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config';
import { spawnServer } from './test/process';

describe('readConfig', () => {
  it('applies the documented defaults', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      port: 8788,
      home: '.pmm',
      dbDir: '.pmm/db',
      databaseUrl: undefined,
      adminToken: undefined,
      push: { maxAttempts: 6, baseDelayMs: 1000 },
    });
    expect(readConfig({ PMM_HOME: '/srv/pmm', PORT: '' }).dbDir).toBe('/srv/pmm/db');
    expect(readConfig({ PMM_DB_DIR: '/data/db', DATABASE_URL: 'postgres://u@h/db' })).toMatchObject({
      dbDir: '/data/db',
      databaseUrl: 'postgres://u@h/db',
    });
  });

  it('names every bad variable in one error', () => {
    expect(() => readConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', PMM_ADMIN_TOKEN: 'short' })).toThrow(
      /PORT: .*; DATABASE_URL: .*; PMM_ADMIN_TOKEN: /,
    );
    expect(() => readConfig({ PORT: '70000' })).toThrow(ConfigError);
  });

  it('makes the server exit 1 with a one-line error', async () => {
    const proc = spawnServer({ PORT: 'eighty' });
    const { code } = await proc.exited;
    expect(code).toBe(1);
    const lines = proc.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pmm sync-server: invalid configuration: PORT: /);
  });
});
