import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'citizen',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The JSON report feeds the requirements traceability matrix (openidcr-requirements trace).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
