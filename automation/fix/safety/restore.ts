/** Puts files back as they were before an attempt, never over a change of the user's. */
import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isTempOf } from '../../fs/atomic-write.js';
import { contentHash } from '../../fs/hash.js';
import { type RaceHooks, removeIfUnchanged, replaceIfUnchanged } from '../../fs/replace.js';

/** One file an attempt touched: its bytes before (null: it did not exist) and what we wrote. */
export interface TouchedFile {
  abs: string;
  original: Buffer | null;
  /** Hashes of everything the attempt wrote or was about to write: any of them on disk is ours. */
  written: string[];
}

export interface RollbackReport {
  restored: string[];
  /** Files the user changed after our write: left as the user has them. */
  keptUserEdits: string[];
}

/** Told before each restore (or delete, `null`) so the watcher can drop its own event. */
export type OwnWrite = (abs: string, data: Buffer | null) => void;

/**
 * Restores each file whose content is one we wrote; a file holding anything else is the user's
 * and is kept. Folders the attempt created are removed when empty, and stray temp files too.
 */
export async function restoreFiles(
  files: readonly TouchedFile[],
  createdDirs: readonly string[],
  onOwnWrite: OwnWrite,
  /** For tests: moments of a restore where a user's save is made to land. */
  race?: RaceHooks,
): Promise<RollbackReport> {
  const report: RollbackReport = { restored: [], keptUserEdits: [] };
  for (const entry of files) {
    const current = await readFile(entry.abs).catch(() => null);
    const currentHash = current === null ? null : contentHash(current);
    const originalHash = entry.original === null ? null : contentHash(entry.original);
    if (currentHash === originalHash) continue; // nothing of ours is there
    if (currentHash === null || !entry.written.includes(currentHash)) {
      report.keptUserEdits.push(entry.abs);
      continue;
    }
    onOwnWrite(entry.abs, entry.original);
    // Only while it still holds what we wrote: a save of the user's landing now wins.
    const result =
      entry.original === null
        ? await removeIfUnchanged(entry.abs, currentHash)
        : await replaceIfUnchanged(entry.abs, entry.original, currentHash, {
            keepMode: true,
            ...(race ? { race } : {}),
          });
    if (result.ok) report.restored.push(entry.abs);
    else report.keptUserEdits.push(entry.abs);
  }
  await removeStrayTemps(files.map((e) => e.abs));
  for (const dir of [...createdDirs].reverse()) await rmdir(dir).catch(() => {}); // only if empty
  return report;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Temp files a cut-short write leaves: ours, and Claude Code's `<name>.tmp.<pid>.<ms>`. */
async function removeStrayTemps(files: readonly string[]): Promise<void> {
  for (const file of files) {
    const names = await readdir(dirname(file)).catch(() => [] as string[]);
    const claudeTemp = new RegExp(`^${escapeRegExp(basename(file))}\\.tmp\\.\\d+\\.\\d+$`);
    for (const name of names) {
      if (isTempOf(file, name) || claudeTemp.test(name)) {
        await rm(join(dirname(file), name), { force: true });
      }
    }
  }
}
