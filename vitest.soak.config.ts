import { defineConfig } from 'vitest/config';

// The soak: minutes of random saves, API faults and SIGKILLs; never part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/bench/**/*.soak.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
  },
});
