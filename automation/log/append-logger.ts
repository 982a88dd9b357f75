/**
 * The log of short-lived commands: the same JSON lines as the daemon's pino log, appended
 * synchronously, without loading pino. The folder and file are created only when something is
 * logged, so a read-only command creates nothing.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureOwnDirSync } from '../fs/own-dir.js';
import { redactDeep } from '../redact.js';
import type { Logger } from './logger.js';

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A logger appending to `<logDir>/automation.log` (info and above). */
export function createAppendLogger(
  logDir: string,
  options: { component?: string; secrets?: readonly string[] } = {},
): Logger {
  const file = join(logDir, 'automation.log');
  const write = (level: keyof typeof LEVELS) => (obj: object, msg?: string) => {
    if (LEVELS[level] < LEVELS.info) return;
    const fields = redactDeep(obj, options.secrets ?? []) as Record<string, unknown>;
    const line = {
      level: LEVELS[level],
      time: new Date().toISOString(),
      pid: process.pid,
      component: options.component ?? 'cli',
      ...fields,
      ...(msg === undefined ? {} : { msg: redactDeep(msg, options.secrets ?? []) }),
    };
    try {
      ensureOwnDirSync(logDir);
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      // A log that cannot be written never stops a command.
    }
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
