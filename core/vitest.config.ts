// Unit tests for @pmm/core: plain Node, no DOM.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'core',
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
  },
});
