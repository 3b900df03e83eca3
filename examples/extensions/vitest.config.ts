import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-extensions',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // PGlite starts in about a second alone; give it room on a loaded 2-core CI.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A JSON report beside the packages' ones (turbo keeps test-results/ as the task's output).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
