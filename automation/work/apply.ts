/**
 * `fixloop apply`: a finished work order's change brought into the working tree as uncommitted
 * changes. The index, HEAD and branch are not touched, and a file the developer has changed (or
 * created) is never overwritten: the whole apply is refused, naming those files.
 */
import { rm, writeFile } from 'node:fs/promises';
import { processScratch } from '../fs/scratch.js';
import { type Git, gitOk } from '../git/git.js';
import type { Task } from '../store/schema.js';
import { ApplyRefusedError } from './errors.js';

/** Applies `task`'s result in the repository at `repoRoot`; returns the files it changed. */
export async function applyWorkOrder(
  git: Git,
  repoRoot: string,
  task: Task,
): Promise<{ files: string[]; branch: string }> {
  const result = task.result;
  if (task.outcome !== 'done' || !result?.commit) {
    const state = task.outcome ? `ended ${task.outcome}` : `is ${task.status}`;
    throw new ApplyRefusedError(
      `Task ${task.id} ${state}; only a work order that ended done can be applied.`,
    );
  }
  const base = task.base_commit ?? `${result.commit}^`;
  const range = [base, result.commit];
  const cwd = repoRoot;
  const files = (await gitOk(git, ['diff', '--name-only', '-z', ...range], { cwd }))
    .split('\0')
    .filter(Boolean);
  if (files.length === 0) return { files, branch: result.branch };
  const status = await gitOk(
    git,
    ['status', '--porcelain', '-z', '--untracked-files=all', '--', ...files],
    { cwd },
  );
  const dirty = status
    .split('\0')
    .filter((e) => /^.. /.test(e))
    .map((e) => e.slice(3));
  if (dirty.length) {
    throw new ApplyRefusedError(
      `Not applied: you have uncommitted changes to ${dirty.join(', ')}, which ${task.id} also ` +
        `changes; commit or stash them, or merge the branch ${result.branch} instead.`,
    );
  }
  const patch = processScratch.path(`${task.id}.patch`);
  await writeFile(patch, await gitOk(git, ['diff', '--binary', ...range], { cwd }));
  try {
    const check = await git.run(['apply', '--check', patch], { cwd });
    if (check.code !== 0) {
      const said = check.stderr.trim().split('\n')[0] ?? '';
      throw new ApplyRefusedError(
        `Not applied: ${task.id}'s change does not apply to your working tree (${said}); ` +
          `merge the branch ${result.branch} instead.`,
      );
    }
    await gitOk(git, ['apply', patch], { cwd });
  } finally {
    await rm(patch, { force: true });
  }
  return { files, branch: result.branch };
}
