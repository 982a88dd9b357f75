/**
 * A work order's worktree, ready to work in: made at its base (the current branch's HEAD, or the
 * results of the orders it builds on, merged), with the project's dependencies linked and
 * WORKTREE_SETUP run.
 */
import { execFile } from 'node:child_process';
import { type Git, gitOk, headCommit } from '../git/git.js';
import { linkDependencies } from '../git/link-deps.js';
import { CopyError } from '../git/submodules.js';
import type { Worktrees } from '../git/worktree.js';
import type { SandboxFor } from '../sandbox/runner.js';
import { WorkError } from './errors.js';

export interface PrepareDeps {
  git: Git;
  repoRoot: string;
  worktrees: Worktrees;
  /** WORKTREE_SETUP. */
  setup: string | undefined;
  /** The environment of setup commands (the test environment). */
  env: Readonly<Record<string, string>>;
  /** Runs the setup command in the sandbox, the worktree writable. */
  sandbox?: SandboxFor | undefined;
  identity: () => Promise<Record<string, string>>;
}

export interface Prepared {
  worktree: string;
  /** The commit the order starts from (recorded as `base_commit`). */
  base: string;
  /** Files tracked at the base, relative to the repository root. */
  baseFiles: Set<string>;
}

/** Makes the worktree of `taskId` on `parents` (commits), or on HEAD when there are none. */
export async function prepareWorktree(
  deps: PrepareDeps,
  taskId: string,
  parents: readonly string[],
  signal: AbortSignal,
): Promise<Prepared> {
  const [first, ...rest] = parents.length ? parents : [await currentHead(deps)];
  const worktree = await deps.worktrees.create(taskId, first as string).catch((error: unknown) => {
    throw error instanceof CopyError
      ? new WorkError(`its base cannot be made: ${error.message}`)
      : error;
  });
  const cwd = worktree;
  if (rest.length) {
    const args = ['-c', 'commit.gpgsign=false', 'merge', '--no-edit', '--no-verify', '-q', ...rest];
    const merged = await deps.git.run(args, { cwd, env: await deps.identity() });
    if (merged.code !== 0) {
      const conflicts = await deps.git.run(['diff', '--name-only', '--diff-filter=U'], { cwd });
      const files = conflicts.stdout.split('\n').filter(Boolean);
      throw new WorkError(
        files.length
          ? `the results it builds on conflict in ${files.join(', ')}; ` +
              'resolve them in one of those orders, then add this one again'
          : `the results it builds on could not be merged: ${merged.stderr.trim()}`,
      );
    }
  }
  const base = (await gitOk(deps.git, ['rev-parse', 'HEAD'], { cwd })).trim();
  const listed = await gitOk(deps.git, ['ls-files', '-z'], { cwd });
  await linkDependencies(deps.repoRoot, worktree);
  if (deps.setup) await runSetup(deps.setup, worktree, deps, signal);
  return { worktree, base, baseFiles: new Set(listed.split('\0').filter(Boolean)) };
}

async function currentHead(deps: PrepareDeps): Promise<string> {
  const head = await headCommit(deps.git, deps.repoRoot);
  if (!head)
    throw new WorkError('the repository has no commit yet; commit once, then add the order again');
  return head;
}

/** Runs WORKTREE_SETUP in the worktree; a failure ends the order with the output's tail. */
function runSetup(
  command: string,
  cwd: string,
  deps: Pick<PrepareDeps, 'env' | 'sandbox'>,
  signal: AbortSignal,
): Promise<void> {
  // A shell runs it, sandboxed like the tests: a parent order's package.json is the model's.
  const shell = deps.sandbox?.(cwd)('/bin/sh', ['-c', command], cwd) ?? {
    file: '/bin/sh',
    args: ['-c', command],
  };
  return new Promise((resolve, reject) => {
    execFile(
      shell.file,
      shell.args,
      { cwd, env: { ...deps.env }, signal, timeout: 30 * 60_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (!error) return resolve();
        const tail = `${stdout}${stderr}`.trim().split('\n').slice(-5).join(' | ');
        reject(new WorkError(`WORKTREE_SETUP failed (${error.message.split('\n')[0]}): ${tail}`));
      },
    );
  });
}
