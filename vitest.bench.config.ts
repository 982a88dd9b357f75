import { defineConfig } from 'vitest/config';

// Benchmarks: one file at a time (they measure time and memory), never part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/bench/**/*.bench.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
