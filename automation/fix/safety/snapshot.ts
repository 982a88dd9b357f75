/**
 * Exact rollback: every file is snapshotted before its first write in an attempt and restored
 * byte for byte. The snapshot is also journalled to disk before each write, so an attempt cut
 * short by a crash is rolled back at the next start (`recoverJournals`).
 */
import { mkdir, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isTempOf, writeFileAtomic } from '../../fs/atomic-write.js';
import { contentHash } from '../../fs/hash.js';

interface Entry {
  /** Original bytes, or null when the file did not exist. */
  original: Buffer | null;
  /** Hashes of everything this attempt wrote or was about to write: any of them on disk is ours. */
  written: string[];
}

export interface RollbackReport {
  restored: string[];
  /** Files the user changed after our write: left as the user has them. */
  keptUserEdits: string[];
}

/** `seq`: when the attempt began (ms, then a counter), so recovery can undo newer attempts first. */
type JournalDoc = { seq?: number; files: Array<{ abs: string; original: string | null; written: string[] }>; dirs: string[] };

let lastSeq = 0;
/** Strictly increasing within a process, and across restarts as far as the clock is. */
const nextSeq = () => (lastSeq = Math.max(lastSeq + 1, Date.now() * 1000));

/** Snapshots of one attempt. `onOwnWrite` lets the daemon record rollback writes as its own. */
export class AttemptSnapshot {
  private readonly files = new Map<string, Entry>();
  private readonly createdDirs: string[] = [];
  private readonly seq = nextSeq();

  constructor(
    private readonly onOwnWrite: (abs: string, data: Buffer | null) => void = () => {},
    /** Journal file for crash recovery; none in unit tests that do not need it. */
    private readonly journal?: string,
  ) {}

  get touched(): string[] {
    return [...this.files.keys()];
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
    this.files.set(abs, { original, written: [] });
  }

  noteCreatedDir(abs: string): void {
    this.createdDirs.push(abs);
  }

  /** Call before writing `data` to `abs`: the journal must know the write before it happens. */
  async beforeWrite(abs: string, data: Buffer | string): Promise<void> {
    const entry = this.files.get(abs);
    if (entry) entry.written.push(contentHash(data));
    await this.saveJournal();
  }

  /** Restores every touched file; files the user changed since our write are left alone. */
  async rollback(): Promise<RollbackReport> {
    const report = await restore([...this.files].map(([abs, e]) => ({ abs, ...e })), this.createdDirs, this.onOwnWrite);
    await this.discard();
    return report;
  }

  /** Forgets the journal (the attempt's edits are kept). */
  async discard(): Promise<void> {
    if (this.journal) await rm(this.journal, { force: true });
  }

  private async saveJournal(): Promise<void> {
    if (!this.journal) return;
    const doc: JournalDoc = {
      seq: this.seq,
      files: [...this.files].map(([abs, e]) => ({ abs, original: e.original === null ? null : e.original.toString('base64'), written: e.written })),
      dirs: this.createdDirs,
    };
    await mkdir(join(this.journal, '..'), { recursive: true });
    await writeFileAtomic(this.journal, JSON.stringify(doc));
  }
}

async function restore(
  entries: Array<{ abs: string } & Entry>,
  createdDirs: readonly string[],
  onOwnWrite: (abs: string, data: Buffer | null) => void,
): Promise<RollbackReport> {
  const report: RollbackReport = { restored: [], keptUserEdits: [] };
  for (const entry of entries) {
    let current: Buffer | null;
    try {
      current = await readFile(entry.abs);
    } catch {
      current = null;
    }
    const currentHash = current === null ? null : contentHash(current);
    const originalHash = entry.original === null ? null : contentHash(entry.original);
    if (currentHash === originalHash) continue; // nothing of ours is there
    if (currentHash === null || !entry.written.includes(currentHash)) {
      report.keptUserEdits.push(entry.abs);
      continue;
    }
    onOwnWrite(entry.abs, entry.original);
    if (entry.original === null) await rm(entry.abs, { force: true });
    else await writeFileAtomic(entry.abs, entry.original, { keepMode: true });
    report.restored.push(entry.abs);
  }
  await removeStrayTemps(entries.map((e) => e.abs));
  for (const dir of [...createdDirs].reverse()) await rmdir(dir).catch(() => {}); // only if empty
  return report;
}

/** Temp files a write cut short leaves beside its target: ours, and Claude Code's `<name>.tmp.<pid>.<ms>`. */
async function removeStrayTemps(files: readonly string[]): Promise<void> {
  for (const file of files) {
    const names = await readdir(dirname(file)).catch(() => [] as string[]);
    const claudeTemp = new RegExp(`^${basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.tmp\\.\\d+\\.\\d+$`);
    for (const name of names) if (isTempOf(file, name) || claudeTemp.test(name)) await rm(join(dirname(file), name), { force: true });
  }
}

/** Rolls back attempts a crash interrupted (journals left in `dir`); returns what was restored. */
export async function recoverJournals(dir: string, onOwnWrite: (abs: string, data: Buffer | null) => void): Promise<RollbackReport> {
  const total: RollbackReport = { restored: [], keptUserEdits: [] };
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  } catch {
    return total;
  }
  const docs: Array<{ file: string; doc: JournalDoc; mtime: number }> = [];
  for (const name of names) {
    const file = join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new Error(`could not read the rollback journal ${file} (${(error as NodeJS.ErrnoException).code}); fix its permissions, or restore the files it lists by hand and delete it`, { cause: error });
    }
    try {
      docs.push({ file, doc: JSON.parse(text) as JournalDoc, mtime: (await stat(file)).mtimeMs });
    } catch {
      // Journals are written atomically, so this is not one of ours to replay; kept aside, not deleted.
      await rename(file, `${file}.unreadable`).catch(() => {});
    }
  }
  // Newest first: when two journals touched one file, undoing the later attempt first unwinds it in order.
  docs.sort((a, b) => (b.doc.seq ?? b.mtime * 1000) - (a.doc.seq ?? a.mtime * 1000));
  for (const { file, doc } of docs) {
    let r: RollbackReport;
    try {
      r = await restore(doc.files.map((f) => ({ abs: f.abs, original: f.original === null ? null : Buffer.from(f.original, 'base64'), written: f.written ?? [] })), doc.dirs ?? [], onOwnWrite);
    } catch (error) {
      throw new Error(`could not restore the files of the rollback journal ${file} (${(error as Error).message}); it is kept and replayed again`, { cause: error });
    }
    total.restored.push(...r.restored);
    total.keptUserEdits.push(...r.keptUserEdits);
    await rm(file, { force: true });
  }
  return total;
}
