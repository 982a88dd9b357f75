/**
 * Crash-safe file replacement: temp file in the same directory, fsync, rename, fsync of the
 * directory.
 */

import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { chmod, link, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Suffix of the temp files this writes; watchers ignore it. */
export const TEMP_SUFFIX = '.fixloop-tmp';

/** Temp files of `file`, ours by name: `.<name>.<pid>.<random>.fixloop-tmp`. */
export const isTempOf = (file: string, name: string) =>
  name.startsWith(`.${basename(file)}.`) && name.endsWith(TEMP_SUFFIX);

/** A fresh temp path beside `file` (ours by name, see isTempOf). */
export const tempBeside = (file: string) =>
  join(
    dirname(file),
    `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
  );

/**
 * Replaces `file` with `data` atomically: a reader (or a crash) sees the old or the new content,
 * never a mix. `keepMode` gives the new file the old one's permissions (user files keep their
 * executable bit); otherwise 0644.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: {
    keepMode?: boolean;
    /** Last check before the rename; throwing leaves `file` untouched. */
    beforeRename?: () => Promise<void>;
    /** Create only: fail with EEXIST rather than replace a file that exists (link, not rename). */
    noReplace?: boolean;
  } = {},
): Promise<void> {
  const dir = dirname(file);
  const temp = tempBeside(file);
  const mode = options.keepMode
    ? await stat(file).then(
        (s) => s.mode & 0o7777,
        () => undefined,
      )
    : 0o644;
  try {
    const handle = await open(temp, 'wx', mode ?? 0o666);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.keepMode && mode !== undefined) await chmod(temp, mode); // open() applied the umask
    await options.beforeRename?.();
    if (options.noReplace) {
      await link(temp, file); // atomic, and refuses a file that appeared meanwhile
      await unlink(temp);
    } else await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDirectory(dir);
}

/**
 * fsync of a directory makes the rename itself durable; some platforms cannot, which is harmless.
 */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    /* EISDIR/EPERM on platforms without directory fsync */
  } finally {
    await handle?.close();
  }
}
