/**
 * What jest prints in the warm child: its reporters write to the process's stdout and stderr
 * (and pipe its workers' there), as they would in a cold run whose output fixloop reads. The
 * child speaks over IPC only, so both streams are taken over and kept, capped, for the reply.
 */
import { OUTPUT_MAX } from '../driver.js';

/** Takes over stdout and stderr; `take` returns what was written since it was last called. */
export function captureOutput() {
  let text = '';
  const write = (chunk: unknown, encoding?: unknown, done?: unknown): boolean => {
    text = (text + (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array))).slice(
      -OUTPUT_MAX,
    );
    const callback = typeof encoding === 'function' ? encoding : done;
    if (typeof callback === 'function') queueMicrotask(() => callback());
    return true;
  };
  process.stdout.write = write as typeof process.stdout.write;
  process.stderr.write = write as typeof process.stderr.write;
  return {
    write: (chunk: string) => void write(chunk),
    take(): string {
      const taken = text;
      text = '';
      return taken;
    },
  };
}
