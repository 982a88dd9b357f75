/** Errors of reading the configuration. */
import { FixloopError } from '../errors.js';

/** One or more invalid configuration values; `problems` holds one line per variable. */
export class ConfigError extends FixloopError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], cause?: unknown) {
    const n = problems.length;
    const list = problems.map((p) => `  - ${p}`).join('\n');
    super(
      `Invalid configuration (${n} problem${n === 1 ? '' : 's'}); ` +
        `fix ${n === 1 ? 'it' : 'them'} in the environment or in .env:\n${list}`,
      { code: 'CONFIG_INVALID', cause },
    );
    this.problems = problems;
  }
}
