/**
 * Exact rollback: every file is snapshotted before its first write in an attempt and restored
 * byte for byte. The snapshot is journalled to disk before each write (see journal.ts).
 */
import { readFile, rm } from 'node:fs/promises';
import { contentHash } from '../../fs/hash.js';
import type { RaceHooks } from '../../fs/replace.js';
import { saveJournal } from './journal.js';
import { type OwnWrite, type RollbackReport, restoreFiles, type TouchedFile } from './restore.js';

export type { RollbackReport } from './restore.js';

let lastSeq = 0;
/** Strictly increasing within a process, and across restarts as far as the clock is. */
const nextSeq = () => {
  lastSeq = Math.max(lastSeq + 1, Date.now() * 1000);
  return lastSeq;
};

/** Snapshots of one attempt. `onOwnWrite` lets the daemon record rollback writes as its own. */
export class AttemptSnapshot {
  private readonly files = new Map<string, TouchedFile>();
  private readonly createdDirs: string[] = [];
  private readonly seq = nextSeq();

  constructor(
    private readonly onOwnWrite: OwnWrite = () => {},
    /** Journal file for crash recovery; none in unit tests that do not need it. */
    private readonly journal?: string,
    /** For tests: moments of a restore where a user's save is made to land. */
    private readonly race?: RaceHooks,
  ) {}

  get touched(): string[] {
    return [...this.files.keys()];
  }

  /** Records the file's current bytes (or absence) unless already recorded in this attempt. */
  async capture(abs: string): Promise<void> {
    if (this.files.has(abs)) return;
    const original = await readFile(abs).catch(() => null);
    this.files.set(abs, { abs, original, written: [] });
  }

  noteCreatedDir(abs: string): void {
    this.createdDirs.push(abs);
  }

  /** Call before writing `data` to `abs`: the journal must know the write before it happens. */
  async beforeWrite(abs: string, data: Buffer | string): Promise<void> {
    this.files.get(abs)?.written.push(contentHash(data));
    if (this.journal)
      await saveJournal(this.journal, this.seq, [...this.files.values()], this.createdDirs);
  }

  /** Each touched file's bytes before the attempt and now (for the transcript's edit lines). */
  async contents(): Promise<Array<{ abs: string; before: Buffer | null; after: Buffer | null }>> {
    return Promise.all(
      [...this.files.values()].map(async (f) => ({
        abs: f.abs,
        before: f.original,
        after: await readFile(f.abs).catch(() => null),
      })),
    );
  }

  /** Restores every touched file; files the user changed since our write are left alone. */
  async rollback(): Promise<RollbackReport> {
    const files = [...this.files.values()];
    const report = await restoreFiles(files, this.createdDirs, this.onOwnWrite, this.race);
    await this.discard();
    return report;
  }

  /** Forgets the journal (the attempt's edits are kept). */
  async discard(): Promise<void> {
    if (this.journal) await rm(this.journal, { force: true });
  }
}
