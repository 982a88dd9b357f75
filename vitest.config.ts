import { defineConfig } from 'vitest/config';
import HeavyFirst from './test/support/heavy-first.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The long scenarios (*.long.test.ts) run in `npm run test:long` (CI runs both).
    exclude: ['test/bench/**', 'test/fixtures/**', 'node_modules/**', 'test/**/*.long.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Most files wait on child processes (runners, git, daemons): 3 at once keep 2 cores busy.
    maxWorkers: 3,
    // The longest files first, with or without vitest's timing cache.
    sequence: { sequencer: HeavyFirst },
    // XDG_CACHE_HOME: a folder of this run (test/support/cache-home.ts), passed to every child.
    globalSetup: ['test/support/cache-home.ts'],
  },
});
