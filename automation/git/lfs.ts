/**
 * Git LFS in a copy of a commit: files stored with LFS are small pointer files in git, turned into
 * their content by the LFS filter when checked out. A copy made where the filter did not run (git
 * lfs not installed, objects not fetched) holds pointers, and tests reading them would fail for a
 * reason that has nothing to do with the change.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Git } from './git.js';
import { CopyError } from './submodules.js';

const POINTER = 'version https://git-lfs.github.com/spec/';
/** LFS pointers are ~130 bytes; larger blobs are never looked at. */
const MAX_POINTER = 1024;

async function startsWithPointer(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const { buffer, bytesRead } = await handle.read(
      Buffer.alloc(POINTER.length),
      0,
      POINTER.length,
      0,
    );
    return buffer.toString('utf8', 0, bytesRead) === POINTER;
  } finally {
    await handle.close();
  }
}

/** Throws a CopyError when `dir` (a copy of `commit`) holds LFS pointers instead of content. */
export async function assertNoLfsPointers(
  git: Git,
  repoRoot: string,
  commit: string,
  dir: string,
): Promise<void> {
  // Cheap first: only a repository whose attributes mention the LFS filter can have pointers.
  const attrs = await git.run(
    ['grep', '-l', '-F', 'filter=lfs', commit, '--', ':(glob)**/.gitattributes', '.gitattributes'],
    { cwd: repoRoot },
  );
  if (attrs.code !== 0 || !attrs.stdout.trim()) return;
  const listed = await git.run(['ls-tree', '-r', '-l', '-z', '--full-tree', commit], {
    cwd: repoRoot,
  });
  const small = listed.stdout.split('\0').flatMap((line) => {
    const m = /^\d+ blob [0-9a-f]+ +(\d+)\t(.+)$/s.exec(line);
    return m?.[1] && m[2] && Number(m[1]) <= MAX_POINTER ? [m[2]] : [];
  });
  const pointers: string[] = [];
  for (const rel of small) {
    if (await startsWithPointer(join(dir, rel))) pointers.push(rel);
    if (pointers.length >= 3) break;
  }
  if (pointers.length) {
    throw new CopyError(
      `${pointers.join(', ')} ${pointers.length === 1 ? 'is' : 'are'} only Git LFS pointers in ` +
        'the copy (install git-lfs and run git lfs pull)',
    );
  }
}
