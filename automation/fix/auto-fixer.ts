/** AutoFixer: plan, then up to MAX_RETRIES + 1 attempts (apply → test → keep or roll back), behind a per-file breaker. */
import { relative, sep } from 'node:path';
import pRetry, { AbortError } from 'p-retry';
import type { Checker } from '../check/checker.js';
import type { Verdict } from '../check/verdict.js';
import { describeApiError } from '../claude/client.js';
import { ASK_BELOW_CONFIDENCE, type Plan } from '../claude/plan.js';
import type { Planner } from '../claude/planner.js';
import { emptyTotals, type UsageMeter, type UsageTotals } from '../claude/usage.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { DaemonConsole } from '../daemon/console.js';
import type { FixResult, FixStage } from '../daemon/seams.js';
import { targetFor } from '../check/target.js';
import type { Logger } from '../log/logger.js';
import type { Attempt, Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import { markBreaker, recordFailure, type Breakers } from './breakers.js';
import { AttemptRunner, AttemptFailed, NoEditError, RollbackError, undo, type AttemptOutcome } from './attempt.js';
import type { HeadlessProvider } from './providers/provider.js';
import type { Sandbox } from './safety/sandbox.js';
import { recoverJournals } from './safety/snapshot.js';

export interface AutoFixerDeps {
  config: Config;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  console: DaemonConsole;
  planner: PlanSource;
  provider: HeadlessProvider;
  checker: Checker;
  usage: UsageMeter;
  breakers: Breakers;
  sandbox: Sandbox;
  onOwnWrite: (rel: string, data: string | null) => void;
  /** Where attempts journal their snapshots, so a crash mid-attempt is rolled back at the next start. */
  journalDir: string;
  /** Appends a verdict to test_results. */
  recordTest: (task: Task, verdict: Verdict) => Promise<void>;
}

/** What the AutoFixer needs from a planner (the Messages API planner, or the basic strategy alone). */
export type PlanSource = Pick<Planner, 'plan' | 'noteOutcome'>;

/** The cost cap was reached: no model call until the window allows. */
class CostCapError extends Error {}

export class AutoFixer implements FixStage {
  readonly unavailableReason = null;

  constructor(private readonly d: AutoFixerDeps) {}

  async init(): Promise<void> {
    try {
      await this.recover('a fix attempt was interrupted by a crash');
    } catch (error) {
      // The daemon still starts (checks go on); every fix refuses to start until this is resolved.
      this.d.logger.error({ err: error }, 'rollback journal not replayed');
      this.d.console.line('AutoFixer', this.d.console.style.red(`${(error as Error).message}; no fix starts until it is replayed`));
    }
    const state = await this.d.store.read();
    this.d.usage.restore(state);
    this.d.breakers.restore(state);
  }

  /** Replays journals left behind (a crash, or a rollback that failed), so no fix starts on a half-restored tree. */
  private async recover(why: string): Promise<void> {
    const toRel = (abs: string) => relative(this.d.config.projectRoot, abs).split(sep).join('/');
    const recovered = await recoverJournals(this.d.journalDir, (abs, data) => this.d.onOwnWrite(toRel(abs), data === null ? null : data.toString('utf8')));
    if (recovered.restored.length) this.d.console.line('AutoFixer', `Rolled back ${recovered.restored.map(toRel).join(', ')}: ${why}`);
    if (recovered.keptUserEdits.length) this.d.console.line('AutoFixer', `Kept your later edits to ${recovered.keptUserEdits.map(toRel).join(', ')} (an interrupted attempt had touched them)`);
  }

  close(): void {
    this.d.breakers.shutdown();
  }

  async fix(task: Task, verdict: Verdict, signal: AbortSignal, step: (name: string) => void): Promise<FixResult> {
    const key = task.file_path ?? `(${task.type})`;
    try {
      await this.recover('an earlier rollback had not finished');
    } catch (error) {
      return { kind: 'failed', error: `an earlier attempt's rollback is not finished: ${(error as Error).message}; no fix starts until it is`, verdict };
    }
    const capped = this.capMessage();
    if (capped) return { kind: 'failed', error: capped, verdict, patch: { cost_capped: true } };
    const result = await this.d.breakers.run(key, () => this.planAndFix(task, verdict, signal, step), (r) => r.kind === 'failed');
    if (result === 'open') {
      const until = (await this.d.store.read()).breakers[key] as { until?: string } | undefined;
      this.d.console.line('AutoFixer', this.d.console.style.red(`Circuit breaker open for ${key}; no fix attempted`));
      return { kind: 'failed', error: `circuit breaker open for ${key} (${this.d.config.breaker.threshold} failed fixes within ${this.d.config.breaker.windowMs / 1000} s)${until?.until ? `; it half-opens at ${until.until}` : ''}`, verdict, patch: { breaker_open: true } };
    }
    await this.afterTask(key, result);
    return result;
  }

  /** Breaker bookkeeping in the state: exact failure counts, and closing after a fix. */
  private async afterTask(key: string, result: FixResult): Promise<void> {
    const { config, clock } = this.d;
    if (result.kind === 'failed' && !result.patch?.cost_capped) {
      const open = await this.d.store.update((s) => {
        const reached = recordFailure(s, key, clock.now(), config.breaker.windowMs, config.breaker.threshold);
        if (reached) markBreaker(s, key, 'open', clock.now(), config.breaker.windowMs);
        return reached;
      });
      // Recorded first, so the state says "open" by the time the task is finished.
      if (open && this.d.breakers.stateOf(key) !== 'open') this.d.breakers.open(key);
      if (open) result.patch = { ...result.patch, breaker_opened: true };
    } else if (result.kind === 'fixed') {
      await this.d.store.update((s) => markBreaker(s, key, 'closed', clock.now(), config.breaker.windowMs));
      this.d.breakers.drop(key);
    }
  }

  private capMessage(): string | null {
    const until = this.d.usage.capReachedUntil();
    if (!until) return null;
    return `hourly cost cap reached ($${this.d.usage.lastHour().toFixed(2)} of $${this.d.config.fix.maxCostUsdPerHour} in the last hour); auto-fix resumes after ${until.toISOString()}`;
  }

  private async planAndFix(task: Task, verdict: Verdict, signal: AbortSignal, step: (name: string) => void): Promise<FixResult> {
    const { config, console: out } = this.d;
    const usage = emptyTotals();
    const attempts: Attempt[] = [];
    const earlier = (task.attempts ?? []).map((a) => a.error).filter((e): e is string => !!e).slice(-3);
    const runner = new AttemptRunner({ ...this.d, task, taskUsage: usage, attempts, earlier });
    step('planning');
    out.line('Orchestrator', 'Step 1: Getting fix strategy from Interactive Claude...');
    const planned = await this.d.planner.plan(task, verdict, earlier, usage, signal);
    const plan: Plan = planned.plan;
    if (planned.fallback) out.line('Orchestrator', this.d.console.style.yellow(`Planner unavailable (${planned.error}); using the basic strategy`));
    const patch = () => ({ plan, attempts: [...(task.attempts ?? []), ...attempts], usage, ...(planned.fallback ? { plan_fallback: planned.error } : {}) });
    const finish = async (r: FixResult) => {
      await this.d.store.update((s) => this.d.usage.writeTo(s, usage)).catch((e) => this.d.logger.warn({ err: e }, 'usage not recorded'));
      this.d.planner.noteOutcome(r.kind === 'fixed' ? `Fixed after ${attempts.length} attempt(s).` : `Outcome: ${r.kind}${'error' in r ? ` (${r.error})` : ''}.`);
      return r;
    };
    if (plan.question && plan.confidence < ASK_BELOW_CONFIDENCE && !task.answer) {
      return finish({ kind: 'needs_input', question: plan.question, patch: patch() });
    }
    out.line('Orchestrator', `Step 2: Executing fix with Headless Claude (${this.d.provider.name}): ${plan.summary}`);
    const maxAttempts = config.fix.maxRetries + 1;
    const target = targetFor(task, config.projectRoot);
    if ('skip' in target) return finish({ kind: 'failed', error: target.skip, verdict, patch: patch() });
    let current = verdict;
    let kept: AttemptOutcome & { ok: true } | undefined;
    try {
      kept = await pRetry(
        async (n) => {
          if (this.capMessage()) throw new AbortError(new CostCapError(this.capMessage() ?? ''));
          step(`fixing: attempt ${n}/${maxAttempts}`);
          out.line('AutoFixer', `Attempt ${n}/${maxAttempts} for task ${task.id}`);
          const r = await runner.attempt(n, maxAttempts, plan, current, target, signal, step);
          if (r.ok) return r;
          current = r.verdict;
          throw new AttemptFailed(r.verdict);
        },
        {
          retries: config.fix.maxRetries,
          factor: 2,
          minTimeout: config.fix.retryMinDelayMs,
          maxTimeout: config.fix.retryMaxDelayMs,
          randomize: true,
          signal,
          onFailedAttempt: ({ error, retriesLeft }) => {
            out.line('AutoFixer', `${out.style.red('✗')} ${error.message}${retriesLeft ? '; retrying' : ''}`);
          },
        },
      );
      step('verifying fix');
      out.line('Orchestrator', 'Step 3: Verifying fix...');
      const final = await this.d.checker.check(target, signal);
      await this.d.recordTest(task, final);
      if (!final.passed) {
        await undo(kept.snapshot, attempts.length);
        return finish({ kind: 'failed', error: `the fix did not hold when verified again (${final.summary}); rolled back`, verdict: final, patch: patch() });
      }
      await kept.snapshot.discard();
      out.line('AutoFixer', `${out.style.green('✓')} Fix succeeded on attempt ${attempts.length}`);
      return finish({ kind: 'fixed', verdict: final, patch: patch() });
    } catch (error) {
      // Stopped during the final verification: the kept attempt is undone too (the task is retried later).
      // (Not when that rollback itself just failed: its journal is kept and replayed before the next fix.)
      const undone = error instanceof RollbackError || !kept ? undefined : await undo(kept.snapshot, attempts.length).then(() => undefined, (e: unknown) => e);
      return finish(this.failureResult(undone ?? error, current, signal, patch(), maxAttempts));
    }
  }

  private failureResult(error: unknown, current: Verdict, signal: AbortSignal, patch: Record<string, unknown>, maxAttempts: number): FixResult {
    const e = error as Error & { code?: string };
    if (e.code === 'USER_EDIT') return { kind: 'requeue', reason: e.message, patch };
    if (e instanceof RollbackError) return { kind: 'failed', error: e.message, verdict: current, patch }; // even when stopping: say so
    if (signal.aborted) return { kind: 'requeue', reason: 'stopped during the fix', patch };
    if (e instanceof CostCapError) return { kind: 'failed', error: e.message, verdict: current, patch: { ...patch, cost_capped: true } };
    if (e instanceof NoEditError) return { kind: 'failed', error: e.message, verdict: current, patch };
    if (e instanceof AttemptFailed) return { kind: 'failed', error: `no fix passed the tests after ${maxAttempts} attempt(s); last: ${e.message}`, verdict: current, patch };
    return { kind: 'failed', error: `Claude API unavailable: ${describeApiError(e)}`, verdict: current, patch };
  }
}

export type { UsageTotals };
