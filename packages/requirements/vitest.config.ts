import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'requirements',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // CLI tests spawn node; a loaded CI machine needs more than the 5 s default.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // The JSON report feeds the requirements traceability matrix (openidcr-requirements trace).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
