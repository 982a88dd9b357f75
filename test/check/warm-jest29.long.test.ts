/** The warm jest runner's tests on jest 29, the oldest major kept warm (a long scenario). */
import { warmJestSuite } from '../support/warm-jest-suite.js';

warmJestSuite(29);
