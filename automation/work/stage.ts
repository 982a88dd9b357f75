/**
 * The work stage: carries out one work order — waits for its parents, prepares a worktree, plans,
 * applies in attempts verified by the tests, and delivers one commit on `fixloop/<task-id>`.
 * Nothing of the developer's checkout is touched; the worktree is removed whatever happens.
 */
import { existsSync } from 'node:fs';
import type { CopyOf } from '../check/baseline/baseline.js';
import type { TestChecker } from '../check/checker.js';
import { describeApiError } from '../claude/client.js';
import { ASK_BELOW_CONFIDENCE } from '../claude/plan.js';
import { emptyTotals, type UsageMeter } from '../claude/usage.js';
import type { WorkPlanSource } from '../claude/work-planner.js';
import { isoAt } from '../clock.js';
import type { TaskOutcomes } from '../daemon/outcomes.js';
import type { CoreDeps } from '../daemon/seams.js';
import { FixloopError } from '../errors.js';
import { AttemptFailedError, CostCapError } from '../fix/errors.js';
import type { Git } from '../git/git.js';
import type { Worktrees } from '../git/worktree.js';
import type { SandboxFor } from '../sandbox/runner.js';
import type { Task, WorkResult } from '../store/schema.js';
import { findTask } from '../tasks/queue.js';
import { splitInto } from '../tasks/split.js';
import { planLine } from '../transcript/entry.js';
import { screenNames } from '../workspace/named-files.js';
import { orderWorkspace } from '../workspace/worktree.js';
import { type WorkAttemptsDeps, workAttempts } from './attempts.js';
import { OrderBranches } from './branches.js';
import { branchOf, commitIdentity, commitMessage, commitWork, pushes } from './deliver.js';
import { readiness } from './dependencies.js';
import { WorkError } from './errors.js';
import type { OrderRun } from './order-run.js';
import { type Prepared, prepareWorktree } from './prepare.js';
import { verificationLine } from './verification.js';

export interface WorkStageDeps
  extends Pick<CoreDeps, 'config' | 'store' | 'clock' | 'logger' | 'console' | 'transcript'>,
    Omit<WorkAttemptsDeps, 'console' | 'clock' | 'fix'> {
  git: Git;
  repoRoot: string;
  worktrees: Worktrees;
  planner: WorkPlanSource;
  usage: UsageMeter;
  outcomes: TaskOutcomes;
  checkerFor: (root: string, copyOf?: CopyOf) => TestChecker;
  /** Runs WORKTREE_SETUP in the sandbox. */
  sandbox?: SandboxFor | undefined;
  /** Writes the order's spend into the state. */
  saveUsage: (delta: ReturnType<typeof emptyTotals>) => Promise<void>;
}

export class WorkStage {
  private readonly branches: OrderBranches;

  constructor(private readonly deps: WorkStageDeps) {
    this.branches = new OrderBranches(deps);
  }

  /** Carries out `task` (taken from pending) and records how it ended; never throws. */
  async process(task: Task, signal: AbortSignal, run: OrderRun = {}): Promise<void> {
    this.runs.set(task.id, run);
    try {
      await this.processOnce(task, signal, run);
    } finally {
      this.runs.delete(task.id);
      this.branches.forget(task);
    }
  }

  private readonly runs = new Map<string, OrderRun>();

  private async processOnce(task: Task, signal: AbortSignal, run: OrderRun): Promise<void> {
    const { outcomes, console: out } = this.deps;
    const state = await this.deps.store.read();
    const ready = readiness(state, findTask(state, task.id)?.task ?? task);
    if (ready.kind === 'failed') return this.fail(task, ready.error);
    if (ready.kind === 'waiting')
      return outcomes.putBack(task, `waiting for ${ready.on.join(', ')}`);
    const capped = this.deps.capMessage();
    if (capped) return this.fail(task, capped, { cost_capped: true });
    out.line('Worker', `Work order ${task.id}: ${task.description.split('\n')[0]}`);
    outcomes.started(task);
    const step = (name: string) => void outcomes.setStep(task.id, name);
    const usage = emptyTotals();
    let prepared: Prepared | undefined;
    try {
      step('preparing worktree');
      const commits = await this.branches.start(task, ready.commits, run);
      prepared = await prepareWorktree(this.prepareDeps(), task.id, commits, signal);
      // A split parent keeps the base it was split from; its worktree holds the children's results.
      if (task.children?.length) return await this.assemble(task, prepared);
      await this.patch(task.id, { base_commit: prepared.base });
      await this.carryOut(task, prepared, { usage, signal, step });
    } catch (error) {
      if (signal.aborted) {
        await this.cleanUp(task.id);
        return outcomes.putBack(task, 'stopped during the work order');
      }
      const why = error instanceof WorkError ? error.message : describeApiError(error);
      await this.fail(task, why, { usage });
    } finally {
      await this.deps.saveUsage(usage);
      if (prepared) await this.cleanUp(task.id);
    }
  }

  private async carryOut(
    task: Task,
    prepared: Prepared,
    run: { usage: ReturnType<typeof emptyTotals>; signal: AbortSignal; step: (s: string) => void },
  ): Promise<void> {
    const { config, outcomes, console: out } = this.deps;
    const workspace = orderWorkspace(config, this.deps, prepared);
    const root = workspace.root;
    run.step('planning');
    const split = !!task.split && !task.parent_id;
    // Named files are read only under the sandbox's rules; the others never reach the model.
    const named = screenNames(workspace.sandbox, task.files ?? []);
    if (named.refused.length) {
      await this.patch(task.id, { files_refused: named.refused });
      const list = named.refused.map((r) => `${r.file} (${r.reason})`).join('; ');
      out.line('Worker', `${task.id}: named files not shown to the model: ${list}`);
    }
    const shown = { ...task, files: named.kept };
    const request = { task: shown, root, usage: run.usage, split, signal: run.signal };
    const planned = await this.deps.planner.plan(request);
    const plan = planned.plan;
    this.deps.transcript?.(task.id, planLine(plan, planned.fallback ? planned.error : undefined));
    const patch = {
      plan,
      usage: run.usage,
      ...(planned.fallback ? { plan_fallback: planned.error } : {}),
    };
    if (plan.question && plan.confidence < ASK_BELOW_CONFIDENCE && !task.answer) {
      await this.cleanUp(task.id);
      return outcomes.needsInput(task, plan.question, patch);
    }
    if (split && plan.parts?.length) {
      await this.cleanUp(task.id);
      const now = isoAt(this.deps.clock);
      const children = await this.deps.store.update((s) =>
        splitInto(s, findTask(s, task.id)?.task ?? task, plan.parts ?? [], now),
      );
      out.line('Worker', `Split ${task.id} into ${children.map((c) => c.id).join(', ')}`);
      return;
    }
    out.line('Worker', `Plan: ${plan.summary}`);
    const done = await workAttempts(
      { ...this.deps, fix: config.fix },
      {
        ...{ task, plan, workspace, usage: run.usage, signal: run.signal, step: run.step },
        requireTests: config.work.requireTests,
      },
    );
    const attempts = [...(task.attempts ?? []), ...done.attempts];
    if (done.kind === 'failed') {
      if (run.signal.aborted) throw done.error;
      // An order stopped by the hourly cap is not retried (GitHub intake, retries).
      const capped = done.error instanceof CostCapError ? { cost_capped: true } : {};
      return this.fail(task, this.attemptsError(done.error), { ...patch, attempts, ...capped });
    }
    run.step('delivering');
    await this.runs.get(task.id)?.confirm?.();
    const branch = branchOf(task);
    const commit = await commitWork(this.deps.git, {
      worktree: root,
      files: done.edited,
      message: commitMessage(plan.summary, task.id),
      identity: await commitIdentity(this.deps.git, this.deps.repoRoot),
      tips: this.branches.tipsOf(task),
    });
    const tests = { summary: done.verdict.summary, counts: done.verdict.counts };
    const v = done.verification;
    const proof = v ? { verification: v, verification_line: verificationLine(v) } : {};
    const result = { branch, commit, files: done.edited, tests, ...proof };
    await this.deliver(task, result, { ...patch, attempts });
  }

  /** A split parent: its children's results merged (the worktree already holds them). */
  private async assemble(task: Task, prepared: Prepared): Promise<void> {
    const state = await this.deps.store.read();
    const files = new Set<string>();
    for (const id of task.children ?? [])
      for (const f of findTask(state, id)?.task.result?.files ?? []) files.add(f);
    const branch = branchOf(task);
    const commit = prepared.base;
    await this.branches.move(task, commit);
    await this.deliver(task, { branch, commit, files: [...files], tests: null }, {});
  }

  private async deliver(task: Task, result: WorkResult, patch: Record<string, unknown>) {
    const { config, console: out } = this.deps;
    const push = this.runs.get(task.id)?.push || pushes(config.work.push, task);
    const pushError = push ? await this.branches.push(task) : null;
    const delivered = {
      ...result,
      pr_url: null,
      pushed: push && !pushError,
      // A pushed branch of a GitHub repository gets its pull request (intake/issue-sync.ts).
      ...(push && !pushError && config.escalation.githubRepo ? { pr_wanted: true } : {}),
      ...(pushError ? { push_error: pushError } : {}),
    };
    await this.cleanUp(task.id);
    const short = result.commit.slice(0, 7);
    out.line('Worker', `✓ ${task.id} done: ${result.branch} (${short}); fixloop apply ${task.id}`);
    if (pushError) out.line('Worker', `Could not push ${result.branch}: ${pushError}`);
    await this.deps.outcomes.finish(task, 'done', { ...patch, result: delivered }, undefined);
  }

  private attemptsError(error: unknown): string {
    const max = this.deps.config.fix.maxRetries + 1;
    if (error instanceof AttemptFailedError)
      return `no attempt passed the tests after ${max} attempt(s); last: ${error.message}`;
    if (error instanceof FixloopError) return error.message;
    return `Claude API unavailable: ${describeApiError(error)}`;
  }

  private async fail(task: Task, error: string, patch: Record<string, unknown> = {}) {
    const out = this.deps.console;
    await this.cleanUp(task.id);
    out.line('Worker', `${out.style.red('✗')} work order ${task.id} failed: ${error}`);
    await this.deps.outcomes.finish(task, 'failed', { ...patch, error }, undefined);
  }

  /**
   * Removes the order's worktree (once): before its outcome is recorded, so whoever sees the
   * outcome finds no worktree left.
   */
  private async cleanUp(id: string): Promise<void> {
    if (!existsSync(this.deps.worktrees.pathOf(id))) return;
    await this.deps.worktrees.remove(id);
  }

  private async patch(id: string, fields: Record<string, unknown>): Promise<void> {
    await this.deps.store.update((s) => {
      const t = s.queues.in_progress.find((x) => x.id === id);
      if (t) Object.assign(t, fields);
    });
  }

  private prepareDeps() {
    const { git, repoRoot, worktrees, config } = this.deps;
    const identity = () => commitIdentity(git, repoRoot);
    const { sandbox } = this.deps;
    const env = config.childEnv;
    return { git, repoRoot, worktrees, setup: config.work.setup, env, identity, sandbox };
  }
}
