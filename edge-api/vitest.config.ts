// edge-api tests run inside workerd (@cloudflare/vitest-plugin) with real D1 and KV emulation, lite engine; the
// sync server they ship to and pull from is the real one (test/global-setup.ts).
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const here = import.meta.dirname;

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(here, 'migrations'));
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        // D1, KV and vars from wrangler.toml's lite environment; the test-only values are overridden below.
        wrangler: { configPath: path.join(here, '../wrangler.toml'), environment: 'lite' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            SYNC_URL: inject('syncUrl'),
            NODE_ID: 'edge-test',
            EDGE_ADMIN_TOKEN: 'test-admin-token-0123456789',
            INGEST_TOKEN: inject('ingestToken'),
            TEST_CENTRE_ADMIN_TOKEN: inject('centreAdminToken'),
            TEST_CENTRE_READ_TOKEN: inject('centreReadToken'),
          },
        },
      })),
    ],
    test: {
      name: 'edge-api',
      root: here,
      include: ['test/**/*.test.ts'],
      // The default (ORT) build has its own project: vitest.ort.config.ts.
      exclude: ['test/ort/**'],
      globalSetup: ['test/global-setup.ts'],
      setupFiles: ['test/setup.ts'],
      // One sync server is shared and the fault proxy has one switch: files must not interleave.
      fileParallelism: false,
      testTimeout: 30_000,
    },
  };
});
