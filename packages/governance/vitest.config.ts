import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'governance',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Property-based and synthetic-population tests take about a second alone; give them room on a loaded 2-core CI.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // The JSON report feeds the requirements traceability matrix (openidcr-requirements trace).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
