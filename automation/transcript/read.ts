/** Reading a task's transcript back: whole, or followed while the task runs. */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Task } from '../store/schema.js';
import { parseEntries, type TranscriptEntry } from './entry.js';
import { entriesOfRecord } from './record.js';
import { transcriptFile } from './writer.js';

/** The transcript of task `id` in LOG_DIR, or undefined when none was written here. */
export async function readTranscript(
  logDir: string,
  id: string,
): Promise<TranscriptEntry[] | undefined> {
  const file = transcriptFile(logDir, id);
  if (!file) return undefined;
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseEntries(text.split('\n'), id);
}

export interface FollowOptions {
  /** The transcript as it is now (every entry so far). */
  read: () => Promise<readonly TranscriptEntry[]>;
  /** Whether the task has ended (done, failed, cancelled or waiting for an answer). */
  ended: () => Promise<boolean>;
  intervalMs?: number;
  /**
   * Reads made after the task ended, while its `end` line is not there yet (it is written just
   * after the state says so, and is lost if the process dies first), before giving up on it.
   */
  graceReads?: number;
  signal?: AbortSignal;
}

/**
 * Yields the transcript's entries as they are written, from the first, until the task has ended
 * and its `end` line is read (or the signal aborts). Polls: the file may be on another machine's
 * job log, and a poll of an unchanged file costs one read.
 */
export async function* followTranscript(options: FollowOptions): AsyncGenerator<TranscriptEntry> {
  const interval = options.intervalMs ?? 250;
  let seen = 0;
  let graceLeft = options.graceReads ?? 50;
  while (!options.signal?.aborted) {
    // Asked before reading: an end seen now means every line before it is already written.
    const ended = await options.ended();
    const entries = await options.read();
    for (const entry of entries.slice(seen)) yield entry;
    seen = Math.max(seen, entries.length);
    const last = entries.at(-1);
    // Ended with nothing written (a clean check, an order cancelled before it ran): done.
    if (ended && (!last || last.kind === 'end' || --graceLeft <= 0)) return;
    try {
      await sleep(interval, undefined, options.signal ? { signal: options.signal } : {});
    } catch {
      return;
    }
  }
}

/** Task `task`'s transcript in LOG_DIR, or what its record tells when none was written here. */
export async function transcriptOf(
  config: { logDir: string },
  task: Task,
): Promise<TranscriptEntry[]> {
  const written = await readTranscript(config.logDir, task.id);
  return written?.length ? written : entriesOfRecord(task);
}
