/**
 * `fixloop apply`: a finished work order's change brought into the working tree as uncommitted
 * changes — with the orders it was built on (`--after`), so the tree never imports what a parent
 * added. An order of the chain already in the tree (applied or committed before) is skipped. The
 * index, HEAD and branch are not touched, and a file the developer has changed is never
 * overwritten: the whole apply is refused, naming those files, and nothing is left half applied.
 */
import { rm, writeFile } from 'node:fs/promises';
import { processScratch } from '../fs/scratch.js';
import { type Git, gitOk } from '../git/git.js';
import type { Task } from '../store/schema.js';
import { ApplyRefusedError } from './errors.js';

/** What an apply did: the files it changed, and which orders it brought or found already there. */
export interface Applied {
  files: string[];
  branch: string;
  /** Orders whose change was applied now, parents first. */
  applied: string[];
  /** Orders of the chain whose change the tree already had. */
  present: string[];
}

interface Step {
  task: Task;
  base: string;
  commit: string;
  patch: string;
  files: string[];
}

/** `task`'s own change, as a patch file and the files it touches. */
async function stepOf(git: Git, cwd: string, task: Task): Promise<Step> {
  const result = task.result;
  if (task.outcome !== 'done' || !result?.commit) {
    const state = task.outcome ? `ended ${task.outcome}` : `is ${task.status}`;
    const why = task.error ? ` (${task.error})` : '';
    throw new ApplyRefusedError(
      `Task ${task.id} ${state}${why}; only a work order that ended done can be applied.`,
    );
  }
  const base = task.base_commit ?? `${result.commit}^`;
  const range = ['--end-of-options', base, result.commit];
  const files = (await gitOk(git, ['diff', '--name-only', '-z', ...range], { cwd }))
    .split('\0')
    .filter(Boolean);
  const patch = processScratch.path(`${task.id}-${Date.now()}.patch`);
  await writeFile(patch, await gitOk(git, ['diff', '--binary', ...range], { cwd }));
  return { task, base, commit: result.commit, patch, files };
}

/** Whether the working tree already holds `step`'s change (its patch applies in reverse). */
async function present(git: Git, cwd: string, step: Step): Promise<boolean> {
  if (step.files.length === 0) return true;
  return (await git.run(['apply', '--check', '--reverse', step.patch], { cwd })).code === 0;
}

/**
 * Files of `steps` the developer changed: uncommitted changes that are not exactly what the tree
 * held where the step starts (an earlier apply of its parent is not a change of theirs).
 */
async function changedByYou(git: Git, cwd: string, steps: readonly Step[]): Promise<string[]> {
  const seen = new Set<string>();
  const yours: string[] = [];
  for (const step of steps) {
    const mine = step.files.filter((f) => !seen.has(f));
    for (const f of mine) seen.add(f);
    if (!mine.length) continue;
    const status = await gitOk(
      git,
      ['status', '--porcelain', '-z', '--untracked-files=all', '--', ...mine],
      { cwd },
    );
    const dirty = status
      .split('\0')
      .filter((e) => /^.. /.test(e))
      .map((e) => e.slice(3));
    for (const f of dirty) {
      const same = await git.run(['diff', '--quiet', '--end-of-options', step.base, '--', f], {
        cwd,
      });
      if (same.code !== 0) yours.push(f);
    }
  }
  return yours;
}

/**
 * Applies `chain` (the order last, the orders it was built on before it, parents first) in the
 * repository at `repoRoot`.
 */
export async function applyWorkOrder(
  git: Git,
  repoRoot: string,
  chain: readonly Task[],
): Promise<Applied> {
  const cwd = repoRoot;
  const order = chain.at(-1);
  if (!order) throw new ApplyRefusedError('Nothing to apply.');
  const branch = order.result?.branch ?? '';
  const steps: Step[] = [];
  try {
    for (const task of chain) steps.push(await stepOf(git, cwd, task));
    const todo: Step[] = [];
    const there: string[] = [];
    for (const step of steps) {
      if (await present(git, cwd, step)) there.push(step.task.id);
      else todo.push(step);
    }
    const files = [...new Set(todo.flatMap((s) => s.files))];
    if (todo.length === 0) return { files: [], branch, applied: [], present: there };
    const yours = await changedByYou(git, cwd, todo);
    if (yours.length) {
      throw new ApplyRefusedError(
        `Not applied: you have uncommitted changes to ${yours.join(', ')}, which ${order.id} ` +
          `also changes; commit or stash them, or merge the branch ${branch} instead.`,
      );
    }
    const done: Step[] = [];
    for (const step of todo) {
      const check = await git.run(['apply', '--check', step.patch], { cwd });
      if (check.code !== 0) {
        // Nothing half applied: what this apply did is undone, last first.
        for (const back of done.reverse())
          await git.run(['apply', '--reverse', back.patch], { cwd });
        const said = check.stderr.trim().split('\n')[0] ?? '';
        const which =
          step.task === order ? `${order.id}'s change` : `${step.task.id} (before ${order.id})`;
        throw new ApplyRefusedError(
          `Not applied: ${which} does not apply to your working tree (${said}); ` +
            `merge the branch ${branch} instead.`,
        );
      }
      await gitOk(git, ['apply', step.patch], { cwd });
      done.push(step);
    }
    return { files, branch, applied: todo.map((s) => s.task.id), present: there };
  } finally {
    for (const step of steps) await rm(step.patch, { force: true });
  }
}
