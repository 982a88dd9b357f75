/**
 * Folders fixloop creates for itself (state, log) mark themselves ignored by git, as pytest's
 * cache does, so running fixloop leaves `git status` clean. A folder that already existed is the
 * user's and is never touched.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const IGNORE_ALL = '# Created by fixloop for its state or log; ignored by git.\n*\n';

/** Creates `dir` and its missing parents; the outermost one created gets a `.gitignore` of `*`. */
export async function ensureOwnDir(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (created)
    await writeFile(join(created, '.gitignore'), IGNORE_ALL, { flag: 'wx' }).catch(() => {});
}

/** The synchronous `ensureOwnDir`, for the log opened at start-up. */
export function ensureOwnDirSync(dir: string): void {
  const created = mkdirSync(dir, { recursive: true });
  if (!created) return;
  try {
    writeFileSync(join(created, '.gitignore'), IGNORE_ALL, { flag: 'wx' });
  } catch {
    /* it has one */
  }
}
