import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'test/fixtures/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Most files wait on child processes (runners, git, daemons): 3 at once keep 2 cores busy.
    maxWorkers: 3,
  },
});
