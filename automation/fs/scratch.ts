/**
 * Temporary files of one process (test reports, Claude Code settings), kept in one private folder
 * named after its pid, so that what a killed process left behind can be swept by the next one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const PREFIX = 'fixloop-';
/** `fixloop-<pid>-<random>`: a process's folder; `fixloop-report-<pid>-…`: older loose reports. */
const OWNED = /^fixloop-(?:report-)?(\d+)-/;

/** Hands out paths in this process's temp folder, created (mode 0700) on first use. */
export class Scratch {
  private folder: string | undefined;

  constructor(
    private readonly base: string = tmpdir(),
    private readonly pid: number = process.pid,
  ) {}

  /** The folder itself (made on first use): sandboxed runs write their reports there. */
  dir(): string {
    return dirname(this.path('x'));
  }

  /** A path for `name` in the folder; the caller makes the file and should remove it. */
  path(name: string): string {
    if (!this.folder) {
      // mkdtemp, never a predictable name: another user could have planted it in a shared /tmp.
      const folder = mkdtempSync(join(this.base, `${PREFIX}${this.pid}-`));
      this.folder = folder;
      process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
    }
    return join(this.folder, name);
  }

  /** Removes the folder and all in it (a later `path` makes a new one). */
  remove(): void {
    if (this.folder) rmSync(this.folder, { recursive: true, force: true });
    this.folder = undefined;
  }
}

/** The temp folder of this process. */
export const processScratch = new Scratch();

/**
 * Removes the temp folders and reports of fixloop processes that are gone (killed before they
 * could clean up); only this user's entries. Returns the names removed.
 */
export async function sweepScratch(
  alive: (pid: number) => boolean,
  base: string = tmpdir(),
): Promise<string[]> {
  const uid = process.getuid?.();
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = OWNED.exec(name)?.[1];
    if (!pid || Number(pid) === process.pid || alive(Number(pid))) continue;
    try {
      const info = await lstat(join(base, name));
      if (uid !== undefined && info.uid !== uid) continue;
      await rm(join(base, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      /* gone already, or not ours to remove */
    }
  }
  return removed;
}
