/** Doctor checks of the state file and its lock. */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/config.js';
import { DEFAULT_STALE_MS } from '../store/lock.js';
import { stateSchema } from '../store/schema.js';
import { type Check, fail, ok } from './check.js';

/** The state file is writable and valid, and no lock was left behind. */
export function stateChecks(config: Config): Check[] {
  const checks: Check[] = [];
  const dir = dirname(config.stateFile);
  try {
    accessSync(existsSync(dir) ? dir : dirname(dir), constants.W_OK);
    if (!existsSync(config.stateFile))
      checks.push(
        ok('state file', `${config.stateFile} (not created yet; the first command creates it)`),
      );
    else {
      const parsed = stateSchema.safeParse(JSON.parse(readFileSync(config.stateFile, 'utf8')));
      checks.push(
        parsed.success
          ? ok('state file', `${config.stateFile} is valid`)
          : fail(
              'state file',
              `${config.stateFile} does not match the schema`,
              'the next fixloop command moves it aside to …corrupt-<timestamp> and starts fresh',
            ),
      );
    }
  } catch (error) {
    const why =
      error instanceof SyntaxError
        ? 'is not valid JSON'
        : `is not writable (${(error as NodeJS.ErrnoException).code})`;
    checks.push(
      fail(
        'state file',
        `${config.stateFile} ${why}`,
        error instanceof SyntaxError
          ? 'the next fixloop command moves it aside and starts fresh'
          : `make ${dir} writable or set STATE_FILE elsewhere`,
      ),
    );
  }
  try {
    const age = Date.now() - statSync(config.lockFile).mtimeMs;
    checks.push(
      age > DEFAULT_STALE_MS * 3
        ? fail(
            'state lock',
            `${config.lockFile} was left behind ${Math.round(age / 1000)} s ago`,
            `if no fixloop process is running: rm -r ${config.lockFile} ` +
              '(it is also taken over automatically)',
          )
        : ok('state lock', 'held right now by a fixloop process'),
    );
  } catch {
    checks.push(ok('state lock', 'free'));
  }
  return checks;
}
