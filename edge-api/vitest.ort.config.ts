// The default build (src/worker.ts: ONNX Runtime Web, its .wasm imported as a module) inside workerd, from
// wrangler.toml's default environment: the same API as the lite build, checked against the lite engine.
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

const here = import.meta.dirname;

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(here, 'migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: path.join(here, '../wrangler.toml') },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // These tests ship nothing: the sync tests run on the lite build (test/sync.test.ts).
            SYNC_URL: 'http://127.0.0.1:9',
            NODE_ID: 'edge-test',
            EDGE_ADMIN_TOKEN: 'test-admin-token-0123456789',
          },
        },
      }),
    ],
    test: {
      name: 'edge-api-ort',
      root: here,
      include: ['test/ort/**/*.test.ts'],
      setupFiles: ['test/setup.ts'],
      testTimeout: 60_000,
    },
  };
});
