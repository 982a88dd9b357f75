/**
 * The warm jest runner, on jest 30: verdicts equal to the cold run's, files saved
 * just before a check seen by it, a restart when the config changes, a cold run when the warm one
 * dies mid-run, and no process left behind.
 */
import { warmJestSuite } from '../support/warm-jest-suite.js';

// jest 30 here; jest 29, the oldest kept warm, in warm-jest29.long.test.ts (npm run test:long).
warmJestSuite(30);
