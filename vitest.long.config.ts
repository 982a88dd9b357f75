import { defineConfig } from 'vitest/config';

// The long scenarios (`*.long.test.ts`): many processes over a real Redis or a fake GitHub,
// parallel workers and order chains, killed writers, the demo, the oldest runner majors kept
// warm. `npm run test:long` runs them; CI runs them after `npm test`.
export default defineConfig({
  test: {
    include: ['test/**/*.long.test.ts'],
    exclude: ['test/fixtures/**', 'node_modules/**', 'test/runners/**'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    maxWorkers: 3,
    globalSetup: ['test/support/cache-home.ts'],
  },
});
