/**
 * fixloop never rewrites commits it did not write. Before an order is delivered on its branch
 * (`fixloop/<task-id>`, `fixloop/issue-<N>`), the branch's tips here and on `origin` are read:
 * one holding a commit of someone else's (a reviewer's fix-up: no `Task: task_…` trailer) is what
 * the order builds on. The branch is then moved with a compare-and-swap and pushed with
 * `--force-with-lease` on the tip seen, so a commit that arrives meanwhile is never overwritten.
 */
import { type Git, gitOk } from './git.js';

/** The branch's tips: here, and on origin (undefined: it does not exist there). */
export interface BranchTips {
  ref: string;
  local: string | undefined;
  remote: string | undefined;
  /** Whether origin could be asked (a repository without one has no remote tip). */
  remoteKnown: boolean;
}

const ZERO = '0'.repeat(40);
const OURS = /^Task: task_[0-9a-f]{8}$/m;

/** Reads `branch`'s tips (fetching origin's, objects only, when `remote`). */
export async function branchTips(
  git: Git,
  cwd: string,
  branch: string,
  remote: boolean,
): Promise<BranchTips> {
  const ref = `refs/heads/${branch}`;
  const local = await git.run(['rev-parse', '--verify', '--quiet', '--end-of-options', ref], {
    cwd,
  });
  const tips: BranchTips = {
    ref,
    local: local.code === 0 ? local.stdout.trim() : undefined,
    remote: undefined,
    remoteKnown: false,
  };
  if (!remote) return tips;
  const listed = await git.run(['ls-remote', '--end-of-options', 'origin', ref], {
    cwd,
    timeoutMs: 60_000,
  });
  if (listed.code !== 0) return tips;
  tips.remoteKnown = true;
  tips.remote = /^([0-9a-f]{40,64})\s/.exec(listed.stdout)?.[1];
  if (tips.remote) {
    const has = await git.run(['cat-file', '-e', `${tips.remote}^{commit}`], { cwd });
    if (has.code !== 0)
      await gitOk(
        git,
        ['fetch', '-q', '--no-write-fetch-head', '--end-of-options', 'origin', ref],
        {
          cwd,
          timeoutMs: 120_000,
        },
      );
  }
  return tips;
}

/** Whether `tip` has a commit since `base` that fixloop did not write. */
async function foreign(git: Git, cwd: string, base: string, tip: string): Promise<boolean> {
  const log = await git.run(['log', '--format=%B%x00', '--end-of-options', `${base}..${tip}`], {
    cwd,
  });
  if (log.code !== 0) return true; // unrelated history: someone else's
  return log.stdout
    .split('\0')
    .map((m) => m.trim())
    .some((m) => m !== '' && !OURS.test(m));
}

/**
 * The commit an order delivered on the branch must build on: the tip holding someone else's
 * commits, or undefined when there is none (fixloop's own earlier results may be replaced).
 */
export async function foreignTip(
  git: Git,
  cwd: string,
  tips: BranchTips,
  base: string,
): Promise<string | undefined> {
  const found: string[] = [];
  for (const tip of [tips.remote, tips.local])
    if (tip && !found.includes(tip) && (await foreign(git, cwd, base, tip))) found.push(tip);
  if (found.length < 2) return found[0];
  const [a = '', b = ''] = found;
  const contains = async (x: string, y: string) =>
    (await git.run(['merge-base', '--is-ancestor', '--end-of-options', x, y], { cwd })).code === 0;
  if (await contains(a, b)) return b;
  if (await contains(b, a)) return a;
  throw new Error(
    `${tips.ref.slice('refs/heads/'.length)} holds other people's commits here and on origin ` +
      'that differ; merge them on one side first, then run the order again',
  );
}

/** Moves the branch to `commit` only if it is still at the tip seen (compare-and-swap). */
export async function moveBranch(git: Git, cwd: string, tips: BranchTips, commit: string) {
  await gitOk(git, ['update-ref', '--end-of-options', tips.ref, commit, tips.local ?? ZERO], {
    cwd,
  });
}

/** Pushes the branch only if origin's tip is still the one seen; null, or git's complaint. */
export async function pushBranchLeased(git: Git, cwd: string, tips: BranchTips) {
  const lease = `--force-with-lease=${tips.ref}:${tips.remote ?? ''}`;
  const result = await git.run(
    ['push', '--quiet', lease, '--end-of-options', 'origin', `${tips.ref}:${tips.ref}`],
    { cwd, timeoutMs: 120_000 },
  );
  if (result.code === 0) return null;
  const said = result.stderr.trim().split('\n').at(-1) || 'push failed';
  return /stale info|rejected/.test(result.stderr)
    ? `origin's ${tips.ref.slice('refs/heads/'.length)} changed while the order ran, so it was ` +
        `not overwritten (${said})`
    : said;
}

/**
 * Where an order delivered on `branch` starts: `commits` (its parents' results, or its base; HEAD
 * when none), on top of the branch's tip when that holds someone else's commits (`onto`).
 */
export async function deliveryStart(
  git: Git,
  cwd: string,
  input: {
    branch: string;
    push: boolean;
    commits: readonly string[];
    head: () => Promise<string | undefined>;
  },
): Promise<{ tips: BranchTips; commits: string[]; onto: string | undefined }> {
  const tips = await branchTips(git, cwd, input.branch, input.push);
  const base = input.commits[0] ?? (await input.head());
  const onto = base ? await foreignTip(git, cwd, tips, base) : undefined;
  const commits = onto ? [onto, ...input.commits.filter((c) => c !== onto)] : [...input.commits];
  return { tips, commits, onto };
}
