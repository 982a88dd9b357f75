/** `fixloop add | check | apply`: queue a work order, check paths, apply a finished order. */
import { isoAt } from '../clock.js';
import { createGit, type Git, gitOk, headCommit, repoRootOf } from '../git/git.js';
import { readView, withShared } from '../queue/open.js';
import type { Priority, Task } from '../store/schema.js';
import { TaskInputError, TaskNotFoundError, TaskStateError } from '../tasks/errors.js';
import { enqueue, findTask, queueIndex } from '../tasks/queue.js';
import { type Applied, applyWorkOrder } from '../work/apply.js';
import { chainOf } from '../work/dependencies.js';
import { NotARepositoryError } from '../work/errors.js';
import { checkedDescription, queueWorkOrder } from '../work/queue-order.js';
import { projectNames, screenNames } from '../workspace/named-files.js';
import type { CommandContext, CommandResult } from './context.js';
import { ExitCode } from './exit-codes.js';
import { daemonRunning } from './status.js';
import { toProjectPath } from './task-actions.js';

async function repository(ctx: CommandContext): Promise<string> {
  const root = await repoRootOf(createGit(ctx.config.childEnv), ctx.config.projectRoot);
  if (!root) throw new NotARepositoryError(ctx.config.projectRoot);
  return root;
}

/** Queues a work order (CONTRACT.md §5). */
export async function addWorkOrder(
  ctx: CommandContext,
  input: {
    description: string;
    files?: readonly string[];
    priority?: Priority;
    after?: readonly string[];
    split?: boolean;
  },
): Promise<CommandResult<{ task: Task; daemon_running?: boolean }>> {
  checkedDescription(input.description);
  const { projectRoot, cwd } = ctx.config;
  const files = (input.files ?? []).map((f) => toProjectPath(projectRoot, cwd, f));
  const bad = screenNames(projectNames(ctx.config), files).refused[0];
  if (bad) {
    throw new TaskInputError(
      `--file ${bad.file}: ${bad.reason}; an order may only name files of the project that ` +
        'fixloop may edit.',
    );
  }
  const { after, split, priority, description } = input;
  const order = {
    description,
    files,
    ...(priority ? { priority } : {}),
    ...(after ? { after } : {}),
    ...(split ? { split } : {}),
    source: { kind: 'cli' },
  };
  const root = await repository(ctx);
  // Shared: the order starts from this clone's HEAD wherever it runs (workers fetch it).
  const shared = await withShared(ctx, async (q) =>
    q.add(order, (await headCommit(createGit(ctx.config.childEnv), root)) ?? null, ctx.clock),
  );
  const task = shared ?? (await queueWorkOrder(ctx, order));
  ctx.logger.info(
    { task: task.id, type: 'work', after: task.after },
    'work order queued by fixloop add',
  );
  // On the shared queue, workers anywhere take it; in the state file, only this daemon does.
  if (shared) return { data: { task }, exitCode: ExitCode.ok };
  return withDaemonNote(ctx, { task });
}

/** `data` with whether a daemon runs to take it, and the note saying so when none does. */
async function withDaemonNote<T extends object>(
  ctx: CommandContext,
  data: T,
): Promise<CommandResult<T & { daemon_running: boolean }>> {
  const running = daemonRunning(ctx, await ctx.store.read());
  const note = 'queued; it runs when `fixloop watch` is running (no daemon now)';
  const result = { data: { ...data, daemon_running: running }, exitCode: ExitCode.ok };
  return running ? result : { ...result, notes: [note] };
}

/** Queues what saves of `paths` would (type manual); no path: one task for the whole suite. */
export async function checkPaths(
  ctx: CommandContext,
  input: { paths: readonly string[]; priority?: Priority },
): Promise<CommandResult<{ tasks: Task[]; daemon_running: boolean }>> {
  const { projectRoot, cwd } = ctx.config;
  const paths = [...new Set(input.paths.map((p) => toProjectPath(projectRoot, cwd, p)))];
  const now = isoAt(ctx.clock);
  const priority = input.priority ?? 'normal';
  const tasks = await ctx.store.update((state) => {
    const index = queueIndex(state); // one lookup table for every path: queuing stays linear
    return (paths.length ? paths : [null]).map((file_path) => {
      const description = file_path ? `fixloop check ${file_path}` : 'fixloop check (the suite)';
      const input = { type: 'manual' as const, file_path, description, priority };
      return enqueue(state, input, now, index).task;
    });
  });
  ctx.logger.info({ tasks: tasks.map((t) => t.id) }, 'checks queued by fixloop check');
  return withDaemonNote(ctx, { tasks });
}

/** Applies a finished work order to the working tree as uncommitted changes. */
export async function applyTask(
  ctx: CommandContext,
  id: string,
): Promise<CommandResult<{ task: Task } & Applied>> {
  const { repoRoot, git, task, chain } = await orderChain(ctx, id);
  await fetchChain(ctx, git, repoRoot, chain);
  const applied = await applyWorkOrder(git, repoRoot, chain);
  ctx.logger.info({ task: id, files: applied.files }, 'work order applied to the working tree');
  return { data: { task, ...applied }, exitCode: ExitCode.ok };
}

/** Work order `id` and the orders it builds on (parents first, itself last), in its repository. */
async function orderChain(ctx: CommandContext, id: string) {
  const repoRoot = await repository(ctx);
  const view = await readView(ctx);
  const found = findTask(view, id);
  if (!found) throw new TaskNotFoundError(id);
  const git = createGit(ctx.config.childEnv);
  return { repoRoot, git, task: found.task, chain: chainOf(view, found.task) };
}

/** An order of the shared queue was committed on another machine: its branch is on origin. */
async function fetchChain(ctx: CommandContext, git: Git, cwd: string, chain: readonly Task[]) {
  for (const { result } of ctx.config.queue.url ? chain : []) {
    if (!result?.commit) continue;
    const has = ['cat-file', '-e', `${result.commit}^{commit}`];
    if ((await git.run(has, { cwd })).code !== 0)
      await git.run(
        ['fetch', '-q', '--no-write-fetch-head', '--end-of-options', 'origin', result.branch],
        { cwd },
      );
  }
}

/**
 * Where a chain of orders started: its roots' base, or, when they started at different commits,
 * the one the others lie behind (the merge of them all starts there). Orders started from
 * unrelated commits have no one base: each is reviewed on its own.
 */
async function chainBase(git: Git, cwd: string, chain: readonly Task[]): Promise<string> {
  const ids = new Set(chain.map((t) => t.id));
  const roots = chain.filter((t) => !(t.after ?? []).some((a) => ids.has(a)));
  const bases = [...new Set(roots.map((t) => t.base_commit ?? `${t.result?.commit}^`))];
  const behind = async (a: string, b: string) =>
    (await git.run(['merge-base', '--is-ancestor', '--end-of-options', a, b], { cwd })).code === 0;
  for (const b of bases) {
    const others = bases.filter((o) => o !== b);
    if ((await Promise.all(others.map((o) => behind(o, b)))).every(Boolean)) return b;
  }
  const id = chain.at(-1)?.id ?? '';
  throw new TaskStateError(
    `Task ${id} builds on orders started from unrelated commits (${bases.join(', ')}); ` +
      'ask get_diff for each of them.',
    id,
  );
}

/** A finished order's change: the unified diff of its commit (and those it built on) and base. */
export interface OrderDiff {
  task_id: string;
  branch: string;
  base: string;
  commit: string;
  /** The orders the diff holds, parents first. */
  chain: string[];
  files: string[];
  diff: string;
}

/** The diff of work order `id` (its whole `--after` chain) against the base it started from. */
export async function diffTask(ctx: CommandContext, id: string): Promise<CommandResult<OrderDiff>> {
  const { repoRoot, git, task, chain } = await orderChain(ctx, id);
  for (const t of chain) {
    if (t.outcome !== 'done' || !t.result?.commit) {
      const state = t.outcome ? `ended ${t.outcome}` : `is ${t.status}`;
      throw new TaskStateError(
        `Task ${t.id} ${state}; only a work order that ended done has a diff.`,
        t.id,
      );
    }
  }
  await fetchChain(ctx, git, repoRoot, chain);
  const commit = task.result?.commit as string;
  const cwd = repoRoot;
  const base = await chainBase(git, cwd, chain);
  const range = ['--end-of-options', base, commit];
  const names = await gitOk(git, ['diff', '--name-only', '-z', ...range], { cwd });
  const diff = await gitOk(git, ['diff', '--no-color', '--no-ext-diff', ...range], { cwd });
  return {
    data: {
      ...{ task_id: id, branch: task.result?.branch ?? '', base, commit },
      ...{ chain: chain.map((t) => t.id), files: names.split('\0').filter(Boolean), diff },
    },
    exitCode: ExitCode.ok,
  };
}
