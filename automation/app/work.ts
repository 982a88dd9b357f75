/**
 * Builds the work-order lane for a configuration: the work stage on the fix loop's model, meter
 * and provider, or, without a model or a repository, a lane that fails each order saying why.
 */
import { fallbackWorkPlan } from '../claude/plan.js';
import { WorkPlanner } from '../claude/work-planner.js';
import type { TaskOutcomes } from '../daemon/outcomes.js';
import type { CoreDeps } from '../daemon/seams.js';
import { createGit, headCommit } from '../git/git.js';
import { repositoryOf } from '../git/repository.js';
import { Worktrees } from '../git/worktree.js';
import type { WorkLane, WorkLaneFactory } from '../lanes/lanes.js';
import { forwardLane } from '../queue/forward-lane.js';
import type { SharedQueue } from '../queue/shared-queue.js';
import type { Task } from '../store/schema.js';
import { WorkStage } from '../work/stage.js';
import { checkerFor } from './checker.js';
import { type FixLoop, observeOnlyReason, projectSummary } from './fix-loop.js';
import type { Isolation } from './sandbox.js';

/** A lane that fails every order at once with `reason`. */
function refusing(outcomes: TaskOutcomes, deps: Pick<CoreDeps, 'console'>, reason: string) {
  return {
    process: async (task) => {
      const error = `work orders need ${reason}`;
      deps.console.line('Worker', `✗ work order ${task.id} failed: ${error}`);
      await outcomes.finish(task, 'failed', { error }, undefined);
    },
  } satisfies WorkLane;
}

/**
 * The work lane of a daemon for `config`; with a shared queue, one that forwards the orders there
 * (the workers carry them out, so no model is needed here).
 */
export function buildWorkLane(
  deps: Omit<CoreDeps, 'workspace'> & { isolation?: Isolation | undefined },
  fixLoop: FixLoop | undefined,
  runnerName: string | undefined,
  shared?: () => Promise<SharedQueue>,
): WorkLaneFactory {
  const { config } = deps;
  const repoRoot = repositoryOf(config.projectRoot);
  return (outcomes) => {
    if (shared)
      return forwardLane({
        queue: shared,
        base: async () =>
          repoRoot ? ((await headCommit(createGit(config.childEnv), repoRoot)) ?? null) : null,
        outcomes,
        logger: deps.logger,
        say: (line) => deps.console.line('Worker', line),
        pollMs: 1000,
      });
    const why = observeOnlyReason(config);
    if (why || !fixLoop) return refusing(outcomes, deps, `a model (${why ?? 'no fixer'})`);
    if (!repoRoot) return refusing(outcomes, deps, 'a git repository (run "git init" and commit)');
    const git = createGit(config.childEnv);
    const worktrees = new Worktrees({ git, repoRoot, dir: config.work.worktreeDir });
    const stage = workStage(deps, fixLoop, { git, repoRoot, worktrees, outcomes, runnerName });
    return {
      process: (task, signal, run) => stage.process(task, signal, run),
      init: async () => {
        const removed = await worktrees.pruneStale();
        if (removed.length)
          deps.logger.info({ removed }, 'removed worktrees of interrupted work orders');
      },
    };
  };
}

function workStage(
  deps: Omit<CoreDeps, 'workspace'> & { isolation?: Isolation | undefined },
  fixLoop: FixLoop,
  parts: Pick<ConstructorParameters<typeof WorkStage>[0], 'git' | 'repoRoot' | 'worktrees'> & {
    outcomes: TaskOutcomes;
    runnerName: string | undefined;
  },
): WorkStage {
  const { config, store, logger, isolation: iso } = deps;
  const usage = fixLoop.usage;
  const client = fixLoop.client;
  const planner = client
    ? new WorkPlanner({
        client,
        model: config.anthropic.plannerModel,
        projectSummary: projectSummary(config.projectRoot, parts.runnerName),
        secrets: config.secrets,
        logger,
        usage,
      })
    : {
        // claude-code with a login and no API key: the order is worked from its description.
        plan: async ({ task }: { task: Task }) => {
          const why = 'no ANTHROPIC_API_KEY for the planner';
          const plan = fallbackWorkPlan(task.description, task.files ?? [], why);
          return { plan, fallback: true, error: why };
        },
      };
  return new WorkStage({
    ...deps,
    ...parts,
    planner,
    usage,
    provider: fixLoop.provider,
    recordTest: fixLoop.recordTest,
    attemptTimeoutMs: config.fix.attemptTimeoutMs,
    checkerFor: (root, copyOf) => checkerFor(config, root, { copyOf, sandbox: iso?.tests }),
    sandbox: iso?.tests,
    capMessage: () => fixLoop.fixer.capMessage(),
    saveUsage: (delta) =>
      store
        .update((s) => usage.writeTo(s, delta))
        .then(() => undefined)
        .catch((e) => logger.warn({ err: e }, 'usage not recorded')),
  });
}
