// Desktop tests: the store, sync engine and outbox on fake-indexeddb, and the renderer in Chromium (test/) — all
// syncing with the real sync server (test/real-sync-server.ts), started per test file as a child process.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'desktop',
    root: import.meta.dirname,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
