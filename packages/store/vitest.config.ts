import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'store',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The JSON report feeds the requirements traceability matrix (openidcr-requirements trace).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    // Database round trips on a shared 2-core machine can be slow; no test here measures time.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
