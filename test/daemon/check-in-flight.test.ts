/**
 * A newer save cancels the check under way; a repeated event of the save being checked (editors
 * and file systems often send two) does not.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ChecksInFlight } from '../../automation/daemon/check-in-flight.js';
import { tempDir } from '../support/tmp.js';

it('cancels on a save that changed the file, not on a second event of the same save', async () => {
  const root = tempDir();
  mkdirSync(join(root, 'src'));
  const file = join(root, 'src/a.js');
  writeFileSync(file, 'export const a = 1;\n');
  const inFlight = new ChecksInFlight(root);
  const check = inFlight.begin(
    { scope: 'related', files: ['src/a.js'] },
    new AbortController().signal,
    () => {},
  );
  await inFlight.saved(['src/a.js']);
  expect(check.signal.aborted).toBe(false);
  writeFileSync(file, 'export const a = 2;\n');
  utimesSync(file, new Date(), new Date(Date.now() + 1000)); // a later save, whatever the clock
  await inFlight.saved(['src/a.js']);
  expect(check.signal.aborted).toBe(true);
  expect((check.signal.reason as Error).message).toBe('a newer save of src/a.js');
  check.end();
});
