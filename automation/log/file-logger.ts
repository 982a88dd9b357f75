/** The JSON-lines log file (`LOG_DIR/automation.log`) through pino. */
import { renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { ensureOwnDirSync } from '../fs/own-dir.js';
import { redactDeep } from '../redact.js';
import type { Logger } from './logger.js';

/** Past this size the log is rotated to automation.log.1 when a process opens it. */
export const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

export interface FileLogger extends Logger {
  /** Writes out anything buffered; call before exit. */
  flush(): void;
  readonly file: string;
}

/**
 * Opens (creating LOG_DIR if needed) the log file; `sync` for short-lived commands so nothing is
 * lost at exit.
 */
export function createFileLogger(
  logDir: string,
  options: { sync: boolean; level?: string; component?: string; secrets?: readonly string[] },
): FileLogger {
  ensureOwnDirSync(logDir);
  const file = join(logDir, 'automation.log');
  try {
    if (statSync(file).size > LOG_ROTATE_BYTES) renameSync(file, `${file}.1`);
  } catch {
    /* no log yet */
  }
  const secrets = options.secrets ?? [];
  const destination = pino.destination({ dest: file, mkdir: true, sync: options.sync });
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid, component: options.component ?? 'cli' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Errors arrive already serialised (and redacted) by the hook below.
      serializers: { err: (e: unknown) => e },
      // Nothing secret reaches the log: every argument is redacted before pino serialises it.
      hooks: {
        logMethod(args, method) {
          return method.apply(
            this,
            args.map((a) => redactDeep(a, secrets)) as Parameters<typeof method>,
          );
        },
      },
    },
    destination,
  );
  return Object.assign(logger, {
    file,
    flush: () => {
      try {
        destination.flushSync();
      } catch {
        /* not ready yet: nothing was written */
      }
    },
  }) as unknown as FileLogger;
}
