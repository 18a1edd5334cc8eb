// One vitest run for the whole repo: each package is a project with its own config.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'core',
      'cli',
      'edge-api',
      'edge-api/vitest.ort.config.ts',
      'sync-server',
      'desktop',
      'test',
      'test-support',
    ],
  },
});
