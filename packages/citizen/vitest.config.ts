import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'citizen',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Browser tests (*.browser.test.ts) load the built components from dist: build it first when it is stale.
    globalSetup: ['src/test-support/global-setup.ts'],
    // The JSON report feeds the requirements traceability matrix (openidcr-requirements trace).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
