/** What every command receives: the frozen config, the state store and the clock. */
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { StateStore } from '../store/store.js';

export interface CommandContext {
  readonly config: Config;
  readonly store: StateStore;
  readonly clock: Clock;
}

/** A command's answer: data to print (or emit as JSON) and the exit code it implies. */
export interface CommandResult<T> {
  readonly data: T;
  readonly exitCode: number;
}
