/** Exact rollback: every file is snapshotted before its first write in an attempt, and restored byte for byte. */
import { readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { contentHash } from '../watch/self-writes.js';

interface Entry {
  /** Original bytes, or null when the file did not exist. */
  original: Buffer | null;
  /** Hash of what we last wrote (to recognise a later user edit). */
  lastWritten: string | null;
}

export interface RollbackReport {
  restored: string[];
  /** Files the user changed after our write: left as the user has them. */
  keptUserEdits: string[];
}

/** Snapshots of one attempt. `writeFileOwn` lets the daemon record rollback writes as its own. */
export class AttemptSnapshot {
  private readonly files = new Map<string, Entry>();
  private readonly createdDirs: string[] = [];

  constructor(private readonly onOwnWrite: (abs: string, data: Buffer | null) => void = () => {}) {}

  get touched(): string[] {
    return [...this.files.keys()];
  }

  has(abs: string): boolean {
    return this.files.has(abs);
  }

  /** Records the file's current bytes (or absence) unless already recorded in this attempt. */
  async capture(abs: string): Promise<void> {
    if (this.files.has(abs)) return;
    let original: Buffer | null;
    try {
      original = await readFile(abs);
    } catch {
      original = null;
    }
    this.files.set(abs, { original, lastWritten: null });
  }

  noteCreatedDir(abs: string): void {
    this.createdDirs.push(abs);
  }

  noteWrite(abs: string, data: Buffer | string): void {
    const entry = this.files.get(abs);
    if (entry) entry.lastWritten = contentHash(data);
  }

  /**
   * Restores every touched file to its snapshot. A file whose current content is not what we
   * last wrote was changed by the user meanwhile: it is left alone, never overwritten.
   */
  async rollback(): Promise<RollbackReport> {
    const report: RollbackReport = { restored: [], keptUserEdits: [] };
    for (const [abs, entry] of this.files) {
      let current: Buffer | null;
      try {
        current = await readFile(abs);
      } catch {
        current = null;
      }
      const currentHash = current === null ? null : contentHash(current);
      if (entry.lastWritten === null && currentHash === (entry.original ? contentHash(entry.original) : null)) continue;
      if (currentHash !== entry.lastWritten) {
        report.keptUserEdits.push(abs);
        continue;
      }
      if (entry.original === null) {
        this.onOwnWrite(abs, null);
        await rm(abs, { force: true });
      } else {
        this.onOwnWrite(abs, entry.original);
        await writeFile(abs, entry.original);
      }
      report.restored.push(abs);
    }
    for (const dir of this.createdDirs.reverse()) await rmdir(dir).catch(() => {}); // only if empty
    return report;
  }
}
