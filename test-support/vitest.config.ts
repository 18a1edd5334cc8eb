// The test-support package's own tests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'test-support', root: import.meta.dirname, include: ['src/**/*.test.ts'] },
});
