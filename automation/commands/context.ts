/** What every command receives: the frozen config, the state store and the clock. */
import { type Clock, systemClock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { RawEnv } from '../config/env-source.js';
import { loadConfig } from '../config/load.js';
import { createAppendLogger } from '../log/append-logger.js';
import type { Logger } from '../log/logger.js';
import { StateStore } from '../store/store.js';

export interface CommandContext {
  readonly config: Config;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A command's answer: data to print (or emit as JSON) and the exit code it implies. */
export interface CommandResult<T> {
  readonly data: T;
  readonly exitCode: number;
  /** Lines for the person, said on stderr after the output (not with --json: `data` has it). */
  readonly notes?: readonly string[];
}

/** Loads the configuration and opens the store (warnings go to `stderr`). */
export function loadContext(io: {
  cwd: string;
  env: RawEnv;
  stderr: { write(s: string): unknown };
}): CommandContext {
  const config = loadConfig({ cwd: io.cwd, env: io.env });
  const logger = createAppendLogger(config.logDir, { secrets: config.secrets });
  const store = new StateStore({
    file: config.stateFile,
    lockFile: config.lockFile,
    secrets: config.secrets,
    logger,
    onWarning: (message) => io.stderr.write(`fixloop: warning: ${message}\n`),
  });
  return { config, store, clock: systemClock, logger };
}
