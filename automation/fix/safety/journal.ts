/**
 * Rollback journals: an attempt's snapshot on disk, written before each of its writes, so an
 * attempt cut short by a crash (or a rollback that failed) is undone at the next chance.
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import { JournalError } from '../errors.js';
import { type OwnWrite, type RollbackReport, restoreFiles, type TouchedFile } from './restore.js';

/** `seq`: when the attempt began (ms, then a counter), so recovery undoes newer attempts first. */
interface JournalDoc {
  seq?: number;
  files: Array<{ abs: string; original: string | null; written: string[] }>;
  dirs: string[];
}

/** Writes the journal of one attempt (atomically: a crash leaves the old or the new one). */
export async function saveJournal(
  file: string,
  seq: number,
  files: readonly TouchedFile[],
  dirs: readonly string[],
): Promise<void> {
  const doc: JournalDoc = {
    seq,
    files: files.map((f) => ({
      abs: f.abs,
      original: f.original === null ? null : f.original.toString('base64'),
      written: f.written,
    })),
    dirs: [...dirs],
  };
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(doc));
}

/** Reads every journal in `dir`; unparsable ones are set aside (renamed), never deleted. */
async function readJournals(
  dir: string,
): Promise<Array<{ file: string; doc: JournalDoc; mtime: number }>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const docs: Array<{ file: string; doc: JournalDoc; mtime: number }> = [];
  for (const name of names) {
    const file = join(dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new JournalError(
        `could not read the rollback journal ${file} (${code}); fix its permissions, or restore ` +
          'the files it lists by hand and delete it',
        error,
      );
    }
    try {
      docs.push({ file, doc: JSON.parse(text) as JournalDoc, mtime: (await stat(file)).mtimeMs });
    } catch {
      // Journals are written atomically, so this is not one of ours to replay; kept aside.
      await rename(file, `${file}.unreadable`).catch(() => {});
    }
  }
  return docs;
}

/** Rolls back attempts a crash interrupted (journals left in `dir`); returns what was restored. */
export async function recoverJournals(dir: string, onOwnWrite: OwnWrite): Promise<RollbackReport> {
  const total: RollbackReport = { restored: [], keptUserEdits: [] };
  const docs = await readJournals(dir);
  // Newest first: when two journals touched one file, undoing the later attempt first unwinds it.
  const order = (d: { doc: JournalDoc; mtime: number }) => d.doc.seq ?? d.mtime * 1000;
  docs.sort((a, b) => order(b) - order(a));
  for (const { file, doc } of docs) {
    const files = doc.files.map((f) => ({
      abs: f.abs,
      original: f.original === null ? null : Buffer.from(f.original, 'base64'),
      written: f.written ?? [],
    }));
    let report: RollbackReport;
    try {
      report = await restoreFiles(files, doc.dirs ?? [], onOwnWrite);
    } catch (error) {
      throw new JournalError(
        `could not restore the files of the rollback journal ${file} ` +
          `(${(error as Error).message}); it is kept and replayed again`,
        error,
      );
    }
    total.restored.push(...report.restored);
    total.keptUserEdits.push(...report.keptUserEdits);
    await rm(file, { force: true });
  }
  return total;
}
