import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'synthetic',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Generating a few hundred patients takes seconds on a busy 2-core machine; the default 5 s is too tight.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The JSON report feeds the requirements traceability matrix (openidcr-requirements trace).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
