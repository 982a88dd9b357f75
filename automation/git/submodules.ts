/**
 * Submodules of a copy of the repository (the export of a commit, a work order's worktree): each
 * gitlink of the commit gets the files of the commit it pins, read from the developer's own clone
 * of that submodule (never the network), through a private index (nothing is registered in the
 * submodule's repository). A submodule the checkout never initialised stays empty, as it is in the
 * working tree; one whose clone lacks the pinned commit cannot be reproduced, and says so.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FixloopError } from '../errors.js';
import { type Git, gitOk } from './git.js';

/** A commit cannot be reproduced in a copy (a submodule's commit is missing, LFS pointers…). */
export class CopyError extends FixloopError {
  constructor(message: string) {
    super(message, { code: 'COPY_INCOMPLETE' });
  }
}

/** How deep submodules of submodules are followed. */
const MAX_DEPTH = 3;

/** The gitlinks of `commit` in the repository at `cwd`: path and the commit each pins. */
export async function gitlinks(
  git: Git,
  cwd: string,
  commit: string,
): Promise<Array<{ path: string; commit: string }>> {
  const out = await gitOk(git, ['ls-tree', '-r', '-z', '--full-tree', commit], { cwd });
  return out
    .split('\0')
    .map((line) => /^160000 commit ([0-9a-f]{40,64})\t(.+)$/s.exec(line))
    .flatMap((m) => (m?.[1] && m[2] ? [{ commit: m[1], path: m[2] }] : []));
}

export interface SubmoduleCopy {
  /** The developer's checkout of the repository whose commit is copied (its top folder). */
  checkout: string;
  commit: string;
  /** The copy's top folder. */
  dir: string;
  /** A folder of fixloop's own for the private indexes. */
  indexDir: string;
}

/** Fills the copy's submodule folders (recursively); returns the paths filled. */
export async function copySubmodules(git: Git, copy: SubmoduleCopy, depth = 0): Promise<string[]> {
  const filled: string[] = [];
  for (const link of await gitlinks(git, copy.checkout, copy.commit)) {
    const checkout = join(copy.checkout, link.path);
    // Never initialised in the checkout: the working tree has no files there either.
    if (!existsSync(join(checkout, '.git'))) continue;
    const has = await git.run(['cat-file', '-e', `${link.commit}^{commit}`], { cwd: checkout });
    if (has.code !== 0) {
      throw new CopyError(
        `the submodule ${link.path} has no commit ${link.commit.slice(0, 7)} in your checkout ` +
          `(run: git submodule update ${link.path})`,
      );
    }
    const gitDir = (
      await gitOk(git, ['rev-parse', '--absolute-git-dir'], { cwd: checkout })
    ).trim();
    const dir = join(copy.dir, link.path);
    await mkdir(dir, { recursive: true });
    await mkdir(copy.indexDir, { recursive: true });
    const index = join(copy.indexDir, createHash('sha256').update(dir).digest('hex').slice(0, 16));
    await gitOk(
      git,
      [`--git-dir=${gitDir}`, `--work-tree=${dir}`, 'read-tree', '--reset', '-u', link.commit],
      { cwd: dir, env: { GIT_INDEX_FILE: index } },
    );
    filled.push(link.path);
    if (depth < MAX_DEPTH) {
      const inner = { checkout, commit: link.commit, dir, indexDir: copy.indexDir };
      for (const path of await copySubmodules(git, inner, depth + 1))
        filled.push(`${link.path}/${path}`);
    }
  }
  return filled;
}
