import { defineConfig } from 'vitest/config';

// Running `npx vitest` at the root runs every package's tests as one workspace.
// `npm test` goes through turbo instead, so each package is tested after its dependencies are built.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
