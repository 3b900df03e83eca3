import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-embed-viewer',
    include: ['*.test.mjs'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
