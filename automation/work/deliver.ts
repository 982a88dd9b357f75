/**
 * Delivering a work order: one commit of exactly the files it changed, on `fixloop/<task-id>`
 * (`fixloop/issue-<N>` for a GitHub issue), pushed to `origin` when asked (git/branch-guard.ts:
 * never over someone else's commits). Identity comes from the repository's git config (read,
 * never written); signing and hooks are skipped (the tests already verified the change).
 */
import { type BranchTips, moveBranch } from '../git/branch-guard.js';
import { type Git, gitOk } from '../git/git.js';
import type { Task } from '../store/schema.js';

const FALLBACK = { name: 'fixloop', email: 'fixloop@localhost' };

/** The author fixloop commits as: the repository's user, else `fixloop <fixloop@localhost>`. */
export async function commitIdentity(git: Git, repoRoot: string) {
  const get = async (key: string) =>
    (await git.run(['config', '--get', key], { cwd: repoRoot })).stdout.trim() || undefined;
  const name = (await get('user.name')) ?? FALLBACK.name;
  const email = (await get('user.email')) ?? FALLBACK.email;
  return {
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: email,
  };
}

/** The GitHub issue a task came from, if it did. */
export function issueOf(task: Pick<Task, 'source'>): number | undefined {
  const s = task.source;
  return s?.kind === 'github' && typeof s.issue === 'number' ? s.issue : undefined;
}

/**
 * The branch a work order is delivered on: one per issue, so every retry of an issue (and every
 * restart) updates the same branch and its one pull request.
 */
export function branchOf(task: Pick<Task, 'id' | 'source'>): string {
  const issue = issueOf(task);
  return issue === undefined ? `fixloop/${task.id}` : `fixloop/issue-${issue}`;
}

/** Whether the order's branch is pushed: WORK_PUSH, else only for GitHub issues. */
export const pushes = (push: boolean | undefined, task: Pick<Task, 'source'>) =>
  push ?? issueOf(task) !== undefined;

/** The commit message: the plan's summary, a blank line, `Task: <id>`. */
export const commitMessage = (summary: string, taskId: string) =>
  `${summary.trim() || 'fixloop work order'}\n\nTask: ${taskId}\n`;

/**
 * Commits `files` (paths relative to the worktree; deletions too) in `worktree` and moves the
 * order's branch to the commit, only if it is still at the tip seen (`tips`). Returns the commit.
 */
export async function commitWork(
  git: Git,
  input: {
    worktree: string;
    files: readonly string[];
    message: string;
    identity: Record<string, string>;
    tips: BranchTips;
  },
): Promise<string> {
  const cwd = input.worktree;
  await gitOk(git, ['add', '-A', '--', ...input.files], { cwd });
  const args = ['-c', 'commit.gpgsign=false', 'commit', '--no-verify', '-q', '-m', input.message];
  await gitOk(git, args, { cwd, env: input.identity });
  const commit = (await gitOk(git, ['rev-parse', 'HEAD'], { cwd })).trim();
  await moveBranch(git, cwd, input.tips, commit);
  return commit;
}
