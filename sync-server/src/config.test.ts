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

  it('reads the drift and retraining settings', () => {
    const config = readConfig({});
    expect(config.drift).toEqual({ intervalMs: 60_000, window: 1000, minRows: 100, detector: 'adwin' });
    expect(config.retrain).toMatchObject({ policy: 'on_drift', intervalMs: 86_400_000, autoPromote: false });
    expect(config.retrain.trainingData).toMatch(/\/data\/telco\.csv$/);
    expect(
      readConfig({
        PMM_DRIFT_INTERVAL_MS: '0',
        PMM_RETRAIN_POLICY: 'schedule',
        PMM_AUTO_PROMOTE: 'true',
        PMM_TRAINING_DATA: '/srv/telco.csv',
      }),
    ).toMatchObject({
      drift: { intervalMs: 0 },
      retrain: { policy: 'schedule', autoPromote: true, trainingData: '/srv/telco.csv' },
    });
    expect(() => readConfig({ PMM_RETRAIN_POLICY: 'sometimes', PMM_AUTO_PROMOTE: 'yes' })).toThrow(
      /^invalid configuration: PMM_RETRAIN_POLICY: must be one or more \(comma-separated\) of on_drift, schedule, manual, on_estimated_drop, on_multivariate; PMM_AUTO_PROMOTE: must be true or false$/,
    );
    expect(() => readConfig({ PMM_DRIFT_MIN_ROWS: '0' })).toThrow(/PMM_DRIFT_MIN_ROWS/);
  });

  it('reads the training CSV of other model names, naming a bad entry', () => {
    expect(
      readConfig({ PMM_TRAINING_DATA_BY_NAME: 'fraud=/srv/fraud.csv, credit-risk = /srv/credit.csv' }).retrain
        .trainingDataByName,
    ).toEqual({ fraud: '/srv/fraud.csv', 'credit-risk': '/srv/credit.csv' });
    expect(readConfig({}).retrain.trainingDataByName).toBeUndefined();
    expect(() => readConfig({ PMM_TRAINING_DATA_BY_NAME: 'Fraud=/srv/f.csv' })).toThrow(
      /PMM_TRAINING_DATA_BY_NAME: "Fraud" is not a model name/,
    );
    expect(() => readConfig({ PMM_TRAINING_DATA_BY_NAME: '/srv/f.csv' })).toThrow(
      /PMM_TRAINING_DATA_BY_NAME: entries are name=path/,
    );
  });

  it('reads several retraining policies and the detector', () => {
    expect(
      readConfig({
        PMM_RETRAIN_POLICY: 'on_drift, on_estimated_drop,on_multivariate',
        PMM_DETECTOR: 'kswin',
      }),
    ).toMatchObject({
      retrain: { policy: ['on_drift', 'on_estimated_drop', 'on_multivariate'] },
      drift: { detector: 'kswin' },
    });
    expect(readConfig({ PMM_RETRAIN_POLICY: 'on_estimated_drop' }).retrain.policy).toBe('on_estimated_drop');
    expect(readConfig({ PMM_DETECTOR: 'off' }).drift.detector).toBe('off');
    expect(() => readConfig({ PMM_RETRAIN_POLICY: 'manual,on_drift' })).toThrow(
      /PMM_RETRAIN_POLICY: manual cannot be combined with another policy/,
    );
    expect(() => readConfig({ PMM_DETECTOR: 'cusum' })).toThrow(
      /PMM_DETECTOR: must be adwin, page-hinkley, kswin or off/,
    );
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

  it('refuses a bad shape, CORS or Electric variable before listening, in one line naming each', async () => {
    const proc = spawnServer({
      PMM_SHAPE_POLL_MS: 'soon',
      PMM_CORS_ORIGIN: 'not an origin',
      ELECTRIC_URL: 'electric:3000',
    });
    const { code } = await proc.exited;
    expect(code).toBe(1);
    const lines = proc.output().trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^pmm sync-server: invalid configuration: /)]);
    for (const name of ['PMM_SHAPE_POLL_MS', 'PMM_CORS_ORIGIN', 'ELECTRIC_URL'])
      expect(lines[0]).toContain(`${name}: `);
    expect(lines[0]).not.toMatch(/listening/);
  });
});
