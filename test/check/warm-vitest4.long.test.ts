/** The warm vitest runner on vitest 4.1, the oldest kept warm: the cold run's verdicts (long). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makeProject } from '../support/project.js';
import { parity } from '../support/vitest-parity.js';
import { closeAfterEach } from '../support/warm-checkers.js';

closeAfterEach();

it('vitest 4: gives the verdicts of the cold run: pass, fail, syntax error, no related tests', async () => {
  const root = makeProject('vitest-project', { vitest: 4 });
  const version = readFileSync(join(root, 'node_modules/vitest/package.json'), 'utf8');
  expect(JSON.parse(version).version).toMatch(/^4\./);
  await parity(root, false);
}, 60_000);
