/** The daemon's JSON-lines log file (`LOG_DIR/automation.log`) through pino. */
import { join } from 'node:path';
import { pino } from 'pino';
import { ensureOwnDirSync } from '../fs/own-dir.js';
import { redactDeep } from '../redact.js';
import { LogSink, type LogSinkOptions } from './log-sink.js';
import type { Logger } from './logger.js';

/** Past this size the log is rotated to automation.log.1 (when opened and while running). */
export const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

export interface FileLogger extends Logger {
  /** Writes out anything queued; call before exit. */
  flush(): void;
  /** Resolves once everything logged so far is in the file (or dropped while paused). */
  idle(): Promise<void>;
  readonly file: string;
}

export interface FileLoggerOptions {
  level?: string;
  component?: string;
  secrets?: readonly string[];
  /** Told when logging pauses (full disk…) and resumes. */
  onChange?: LogSinkOptions['onChange'];
  /** For tests: the sink's append, retry period and rotation size. */
  sink?: Pick<LogSinkOptions, 'append' | 'retryMs' | 'rotateBytes'>;
}

/** Opens (creating LOG_DIR if needed) the log; writing it never blocks or crashes the daemon. */
export function createFileLogger(logDir: string, options: FileLoggerOptions = {}): FileLogger {
  const file = join(logDir, 'automation.log');
  try {
    ensureOwnDirSync(logDir);
  } catch {
    /* a folder we cannot create: the sink pauses and says so */
  }
  const secrets = options.secrets ?? [];
  const sink = new LogSink({
    file,
    rotateBytes: LOG_ROTATE_BYTES,
    ...options.sink,
    ...(options.onChange ? { onChange: options.onChange } : {}),
  });
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
    sink,
  );
  return Object.assign(logger, {
    file,
    flush: () => sink.flushSync(),
    idle: () => sink.idle(),
  }) as unknown as FileLogger;
}
