import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'governance',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
