import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'reference',
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // The JSON report feeds the requirements traceability matrix (openidcr-requirements trace).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
