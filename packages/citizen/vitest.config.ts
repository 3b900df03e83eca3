import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'citizen',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Opening PGlite stores and spawning processes takes far longer on a loaded CI machine than the 5 s default.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Browser tests (*.browser.test.ts) load the built components from dist: build it first when it is stale.
    globalSetup: ['src/test-support/global-setup.ts'],
    // The JSON report feeds the requirements traceability matrix (openidcr-requirements trace).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
