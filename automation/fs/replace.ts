/**
 * Compare-and-swap for files: fixloop replaces a file only while it still holds what fixloop
 * last saw, so a save of the user's is never overwritten. The check runs right before the
 * atomic rename, and a hard link to the checked file catches a save written in place between the
 * two: the user's bytes are put back. Only an editor that renames a new file over the path within
 * those microseconds could slip through.
 */
import { link, readFile, rename, unlink } from 'node:fs/promises';
import { tempBeside, writeFileAtomic } from './atomic-write.js';
import { contentHash } from './hash.js';

/** Test seams: run at the two moments of a replace where a user's save could land. */
export interface RaceHooks {
  /** Before the content is checked. */
  beforeCheck?: () => Promise<void>;
  /** After the check, right before the rename. */
  beforeRename?: () => Promise<void>;
}

/** The hash of a file's content, or null when it does not exist. */
export async function hashOf(file: string): Promise<string | null> {
  return readFile(file).then(contentHash, () => null);
}

export type ReplaceResult = { ok: true } | { ok: false; found: string | null };

/**
 * Replaces `file` with `data` if it holds `expected` (a hash; null: it must not exist). Otherwise
 * nothing of the user's is touched and `found` says what the file held.
 */
export async function replaceIfUnchanged(
  file: string,
  data: string | Uint8Array,
  expected: string | null,
  options: { keepMode?: boolean; race?: RaceHooks } = {},
): Promise<ReplaceResult> {
  let found: string | null | undefined;
  let held: string | undefined;
  try {
    await writeFileAtomic(file, data, {
      keepMode: options.keepMode ?? false,
      noReplace: expected === null,
      beforeRename: async () => {
        await options.race?.beforeCheck?.();
        const now = await hashOf(file);
        if (now !== expected) {
          found = now;
          throw new Error('changed');
        }
        if (expected !== null) {
          held = tempBeside(file);
          await link(file, held).catch(() => (held = undefined)); // no hard links here: no net
        }
        await options.race?.beforeRename?.();
      },
    });
  } catch (error) {
    if (held) await unlink(held).catch(() => {});
    if (found !== undefined) return { ok: false, found };
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return { ok: false, found: await hashOf(file) };
    throw error;
  }
  if (held) {
    const replaced = await hashOf(held);
    if (replaced !== expected) {
      // Saved in place after the check: the inode we replaced holds the user's bytes.
      await rename(held, file);
      return { ok: false, found: replaced };
    }
    await unlink(held).catch(() => {});
  }
  return { ok: true };
}

/** Deletes `file` if it holds `expected`; a file holding anything else is put back untouched. */
export async function removeIfUnchanged(file: string, expected: string): Promise<ReplaceResult> {
  const aside = tempBeside(file);
  try {
    await rename(file, aside);
  } catch {
    return { ok: false, found: null };
  }
  const now = await hashOf(aside);
  if (now !== expected) {
    await rename(aside, file);
    return { ok: false, found: now };
  }
  await unlink(aside);
  return { ok: true };
}
