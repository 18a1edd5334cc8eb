// Shape settings from the environment: defaults, parsing, and one error naming every bad variable.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config';
import { DEFAULT_SHAPE_CONFIG, readShapeConfig } from './config';

describe('readShapeConfig', () => {
  it('defaults: 20 s live hold, 500 ms poll, 10,000-row pages, any origin, no Electric', () => {
    expect(readShapeConfig({})).toEqual(DEFAULT_SHAPE_CONFIG);
    expect(DEFAULT_SHAPE_CONFIG).toMatchObject({
      liveTimeoutMs: 20_000,
      pollMs: 500,
      pageRows: 10_000,
      corsOrigin: '*',
    });
  });

  it('reads every key; empty strings count as unset', () => {
    expect(
      readShapeConfig({
        PMM_SHAPE_LIVE_TIMEOUT_MS: '1000',
        PMM_SHAPE_POLL_MS: '100',
        PMM_SHAPE_PAGE_ROWS: '5000',
        PMM_CORS_ORIGIN: 'http://localhost:5173',
        ELECTRIC_URL: 'http://electric:3000',
        ELECTRIC_SECRET: '',
      }),
    ).toEqual({
      liveTimeoutMs: 1000,
      pollMs: 100,
      pageRows: 5000,
      corsOrigin: 'http://localhost:5173',
      electricUrl: 'http://electric:3000',
      electricSecret: undefined,
    });
  });

  it('refuses bad values, naming each', () => {
    const read = () =>
      readShapeConfig({
        PMM_SHAPE_LIVE_TIMEOUT_MS: '60000',
        PMM_SHAPE_PAGE_ROWS: 'many',
        ELECTRIC_URL: 'ftp://x',
      });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/PMM_SHAPE_LIVE_TIMEOUT_MS.*PMM_SHAPE_PAGE_ROWS.*ELECTRIC_URL/);
  });
});
