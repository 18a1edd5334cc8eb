// Tests for the pmm command line: they run the real CLI in a child process.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'cli',
    include: ['src/**/*.test.ts'],
    testTimeout: 180_000,
    // beforeAll hooks train a model through the real CLI: as long as a test may take on a busy machine.
    hookTimeout: 180_000,
  },
});
