import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'store',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Database round trips on a shared 2-core machine can be slow; no test here measures time.
    testTimeout: 30_000,
  },
});
