/**
 * Where the daemon's log lines go: queued, and appended in one batch per turn of the event loop
 * (in order, a local append takes microseconds). A write that fails (a full disk, a removed
 * folder) pauses logging instead of blocking or crashing the daemon; it is tried again every few
 * seconds and resumes by itself. Each pause and resume is told once.
 */
import { appendFileSync, renameSync, statSync } from 'node:fs';

/** Lines kept in memory while a write is under way, at most (the oldest are dropped). */
const MAX_QUEUED_BYTES = 1_000_000;

export interface LogSinkOptions {
  file: string;
  /** Told when logging pauses (with the reason) and when it resumes (with the lines lost). */
  onChange?: (
    change: { paused: true; reason: string } | { paused: false; dropped: number },
  ) => void;
  retryMs?: number;
  /** The append itself (a seam for tests of a full disk). */
  append?: (file: string, data: string) => void;
  /** Past this size the file becomes `<file>.1` (replacing the last one) and a new one starts. */
  rotateBytes?: number;
}

export class LogSink {
  private queue: string[] = [];
  private bytes = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private pausedSince: number | undefined;
  private dropped = 0;
  private retry: NodeJS.Timeout | undefined;
  /** The file's size as this process last knew it (other processes append too). */
  private size = 0;

  constructor(private readonly options: LogSinkOptions) {
    this.rotate();
  }

  /** pino's destination interface: one line at a time. Never throws, never blocks. */
  write(line: string): boolean {
    if (this.pausedSince !== undefined) {
      this.dropped++;
      return true;
    }
    this.queue.push(line);
    this.bytes += line.length;
    while (this.bytes > MAX_QUEUED_BYTES && this.queue.length > 1) {
      this.bytes -= this.queue.shift()?.length ?? 0;
      this.dropped++;
    }
    this.scheduled ??= setImmediate(() => this.flush());
    return true;
  }

  /** Resolves once every line written so far has been appended (or dropped while paused). */
  async idle(): Promise<void> {
    this.flush();
  }

  /** Writes what is queued before the process exits. */
  flushSync(): void {
    this.flush();
    clearTimeout(this.retry);
  }

  private flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.pausedSince !== undefined || this.queue.length === 0) return;
    const batch = this.queue.join('');
    const lines = this.queue.length;
    this.queue = [];
    this.bytes = 0;
    try {
      (this.options.append ?? appendFileSync)(this.options.file, batch);
      this.size += Buffer.byteLength(batch);
      if (this.size > (this.options.rotateBytes ?? Number.POSITIVE_INFINITY)) this.rotate();
    } catch (error) {
      this.dropped += lines;
      this.pause((error as NodeJS.ErrnoException).code ?? String(error));
    }
  }

  /**
   * Rotates the file when it has grown past the bound, at start and while the daemon runs (a
   * daemon running for weeks keeps at most two files' worth of log). The next line starts a new
   * file; processes appending by path follow it.
   */
  private rotate(): void {
    const { file, rotateBytes } = this.options;
    if (rotateBytes === undefined) return;
    try {
      this.size = statSync(file).size;
      if (this.size <= rotateBytes) return;
      renameSync(file, `${file}.1`);
      this.size = 0;
    } catch {
      this.size = 0; // no file yet: the next append makes one
    }
  }

  private pause(reason: string): void {
    this.pausedSince = Date.now();
    this.options.onChange?.({ paused: true, reason });
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.retry = setTimeout(() => this.tryResume(), this.options.retryMs ?? 3000);
    this.retry.unref();
  }

  private tryResume(): void {
    const append = this.options.append ?? appendFileSync;
    const dropped = this.dropped;
    const line = { level: 40, time: new Date().toISOString(), pid: process.pid };
    const note = `${JSON.stringify({ ...line, msg: 'logging resumed', dropped_lines: dropped })}\n`;
    try {
      append(this.options.file, note);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.pausedSince = undefined;
    this.dropped = 0;
    this.options.onChange?.({ paused: false, dropped });
  }
}
