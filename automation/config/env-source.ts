/**
 * Reads the raw configuration: `.env` in the working directory, overridden by the real environment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './errors.js';

export type RawEnv = Readonly<Record<string, string | undefined>>;

/** Merges `<cwd>/.env` under `env` (real variables win). A missing `.env` is fine. */
export function readEnvSource(cwd: string, env: RawEnv): RawEnv {
  const file = join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ...env };
    throw new ConfigError(
      [
        `${file} could not be read (${(error as NodeJS.ErrnoException).code}); ` +
          'fix its permissions or remove it',
      ],
      error,
    );
  }
  let fromFile: Record<string, string>;
  try {
    fromFile = parseEnv(text) as Record<string, string>;
  } catch (error) {
    throw new ConfigError([`${file} is not a valid dotenv file; use KEY=value lines`], error);
  }
  return { ...fromFile, ...env };
}
