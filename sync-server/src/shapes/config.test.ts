// Shape settings from the environment: defaults, parsing, and one error naming every bad variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../config';
import { DEFAULT_SHAPE_CONFIG } from './config';

describe('the shape settings of readConfig', () => {
  it("defaults: 20 s live hold, 500 ms poll, 10,000-row pages, the analyst app's origins, no Electric", () => {
    expect(readConfig({}).shapes).toEqual(DEFAULT_SHAPE_CONFIG);
    expect(DEFAULT_SHAPE_CONFIG).toEqual({
      liveTimeoutMs: 20_000,
      pollMs: 500,
      pageRows: 10_000,
      corsOrigin: 'http://127.0.0.1:5173,http://localhost:5173,app://pmm',
      electricUrl: undefined,
      electricSecret: undefined,
    });
  });

  it('reads every key; empty strings count as unset', () => {
    expect(
      readConfig({
        PMM_SHAPE_LIVE_TIMEOUT_MS: '1000',
        PMM_SHAPE_POLL_MS: '100',
        PMM_SHAPE_PAGE_ROWS: '5000',
        PMM_CORS_ORIGIN: 'http://localhost:5199, https://pmm.example.com',
        ELECTRIC_URL: 'http://electric:3000',
        ELECTRIC_SECRET: '',
      }).shapes,
    ).toEqual({
      liveTimeoutMs: 1000,
      pollMs: 100,
      pageRows: 5000,
      corsOrigin: 'http://localhost:5199,https://pmm.example.com',
      electricUrl: 'http://electric:3000',
      electricSecret: undefined,
    });
    expect(readConfig({ PMM_CORS_ORIGIN: '*' }).shapes.corsOrigin).toBe('*');
  });

  it('refuses bad values, naming each', () => {
    const read = () =>
      readConfig({
        PMM_SHAPE_LIVE_TIMEOUT_MS: '60000',
        PMM_SHAPE_PAGE_ROWS: 'many',
        PMM_CORS_ORIGIN: 'localhost:5173/app',
        ELECTRIC_URL: 'ftp://x',
      });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      /^invalid configuration: PMM_SHAPE_LIVE_TIMEOUT_MS: .*; PMM_SHAPE_PAGE_ROWS: .*; PMM_CORS_ORIGIN: must be \* or comma-separated origins.*; ELECTRIC_URL: must be an http:\/\/ or https:\/\/ URL$/,
    );
    expect(() => readConfig({ ELECTRIC_SECRET: 'shh' })).toThrow(
      /ELECTRIC_SECRET is set without ELECTRIC_URL/,
    );
  });
});
