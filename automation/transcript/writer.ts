/**
 * Where tasks' transcripts are written: one JSON-lines file per task under LOG_DIR/tasks,
 * appended in order, redacted, and bounded in size (past the bound only the lines that say how
 * the task ended are kept). A failed write loses a transcript line, never the task.
 */
import { appendFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, isoAt } from '../clock.js';
import { redactedJson } from '../redact.js';
import type { EntryBody, TranscriptEntry } from './entry.js';

/** Records one entry of task `taskId`'s transcript. Never throws, never waits. */
export type Transcribe = (taskId: string, entry: EntryBody) => void;

/** A transcript that keeps nothing (unit tests, processes without transcripts). */
export const noTranscript: Transcribe = () => {};

/** Bytes a transcript may grow to before only its ending lines are kept. */
export const MAX_TRANSCRIPT_BYTES = 256 * 1024;
/** Transcripts kept in LOG_DIR/tasks; the oldest beyond this are removed at start. */
export const KEEP_TRANSCRIPTS = 2000;
/** How long a line's `also` (a Redis command) may take before the next is sent. */
const ALSO_TIMEOUT_MS = 5000;

const TASK_ID = /^task_[0-9a-f]{8}$/;
/** Kinds written even past the bound: how the task ended must always be readable. */
const ENDING = new Set(['attempt', 'verification', 'delivery', 'end']);

/** The file of task `id`'s transcript, or undefined for a string that is no task id. */
export function transcriptFile(logDir: string, id: string): string | undefined {
  return TASK_ID.test(id) ? join(logDir, 'tasks', `${id}.jsonl`) : undefined;
}

export interface TranscriptWriterOptions {
  logDir: string;
  secrets: readonly string[];
  clock: Clock;
  maxBytes?: number;
  /**
   * Also given each line written (the shared queue's worker puts it on the order's job): in
   * order, each given at most ALSO_TIMEOUT_MS, never holding up the file or the task.
   */
  also?: (taskId: string, line: string) => unknown;
  /** Told of a write that failed (once per task). */
  onError?: (taskId: string, error: Error) => void;
}

/** Appends entries to LOG_DIR/tasks/<id>.jsonl. */
export class TranscriptWriter {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly alsoChains = new Map<string, Promise<void>>();
  private readonly sizes = new Map<string, number>();
  private readonly truncated = new Set<string>();
  private readonly failed = new Set<string>();

  constructor(private readonly options: TranscriptWriterOptions) {}

  /** The function to hand down. */
  readonly note: Transcribe = (taskId, body) => {
    const file = transcriptFile(this.options.logDir, taskId);
    if (!file) return;
    const entry = { at: isoAt(this.options.clock), task: taskId, ...body } as TranscriptEntry;
    const line = `${redactedJson(entry, this.options.secrets)}\n`;
    const previous = this.chains.get(taskId) ?? Promise.resolve();
    const next = previous.then(() => this.append(taskId, file, entry, line));
    this.chains.set(taskId, next);
    void next.then(() => {
      if (this.chains.get(taskId) === next) this.chains.delete(taskId);
    });
  };

  /** Resolves when every line noted so far (of task `taskId`, or of all) is written. */
  async flush(taskId?: string): Promise<void> {
    const of = (m: Map<string, Promise<void>>) => (taskId ? [m.get(taskId)] : [...m.values()]);
    await Promise.all(of(this.chains));
    await Promise.all(of(this.alsoChains));
  }

  /** Hands `line` to `also`, after the task's earlier lines, bounded in time. */
  private forward(taskId: string, line: string): void {
    const also = this.options.also;
    if (!also) return;
    const previous = this.alsoChains.get(taskId) ?? Promise.resolve();
    const next = previous.then(async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ALSO_TIMEOUT_MS);
        timer.unref?.();
      });
      try {
        await Promise.race([Promise.resolve(also(taskId, line)).catch(() => {}), late]);
      } finally {
        clearTimeout(timer);
      }
    });
    this.alsoChains.set(taskId, next);
    void next.then(() => {
      if (this.alsoChains.get(taskId) === next) this.alsoChains.delete(taskId);
    });
  }

  /** Removes the oldest transcripts beyond KEEP_TRANSCRIPTS. */
  async prune(keep = KEEP_TRANSCRIPTS): Promise<number> {
    const dir = join(this.options.logDir, 'tasks');
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) =>
      n.endsWith('.jsonl'),
    );
    if (names.length <= keep) return 0;
    const dated = await Promise.all(
      names.map(async (n) => ({ n, t: (await stat(join(dir, n)).catch(() => null))?.mtimeMs })),
    );
    dated.sort((a, b) => (a.t ?? 0) - (b.t ?? 0));
    const old = dated.slice(0, dated.length - keep);
    await Promise.all(old.map((o) => rm(join(dir, o.n), { force: true })));
    return old.length;
  }

  private async append(
    taskId: string,
    file: string,
    entry: TranscriptEntry,
    line: string,
  ): Promise<void> {
    const max = this.options.maxBytes ?? MAX_TRANSCRIPT_BYTES;
    try {
      let size = this.sizes.get(taskId);
      if (size === undefined) {
        await mkdir(join(this.options.logDir, 'tasks'), { recursive: true });
        size = (await stat(file).catch(() => null))?.size ?? 0;
      }
      let text = line;
      if (size + Buffer.byteLength(line) > max && !ENDING.has(entry.kind)) {
        if (this.truncated.has(taskId)) return;
        this.truncated.add(taskId);
        const marker = { at: entry.at, task: taskId, kind: 'truncated', bytes: max };
        text = `${JSON.stringify(marker)}\n`;
      }
      this.forward(taskId, text.trimEnd());
      await appendFile(file, text);
      this.sizes.set(taskId, size + Buffer.byteLength(text));
    } catch (error) {
      if (this.failed.has(taskId)) return;
      this.failed.add(taskId);
      this.options.onError?.(taskId, error as Error);
    } finally {
      if (entry.kind === 'end') {
        this.sizes.delete(taskId);
        this.truncated.delete(taskId);
        this.failed.delete(taskId);
      }
    }
  }
}
