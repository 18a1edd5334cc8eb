// sync-server tests: against PostgreSQL when DATABASE_URL is set (one database per test file), PGlite otherwise.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'sync-server',
    root: import.meta.dirname,
    include: ['src/**/*.test.ts'],
    globalSetup: ['src/test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
