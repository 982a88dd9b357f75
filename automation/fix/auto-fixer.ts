/**
 * AutoFixer: the fix stage. Replays unfinished rollbacks, honours the cost cap, and fixes behind a
 * per-file breaker.
 */
import type { Verdict } from '../check/verdict.js';
import type { PlanSource } from '../claude/planner.js';
import type { UsageMeter } from '../claude/usage.js';
import type { Config } from '../config/config.js';
import type { CoreDeps, FixResult, FixRun, FixStage } from '../daemon/seams.js';
import type { Task } from '../store/schema.js';
import type { Workspace } from '../workspace/workspace.js';
import { type Breakers, markBreaker, recordFailure } from './breakers.js';
import type { HeadlessProvider } from './providers/provider.js';
import { repair } from './repair.js';
import { recoverJournals } from './safety/journal.js';

export interface AutoFixerDeps
  extends Pick<CoreDeps, 'store' | 'clock' | 'logger' | 'console' | 'transcript'> {
  fix: Config['fix'];
  breaker: Config['breaker'];
  planner: PlanSource;
  provider: HeadlessProvider;
  usage: UsageMeter;
  breakers: Breakers;
  /** Appends a verdict to test_results. */
  recordTest: (task: Task, verdict: Verdict) => Promise<void>;
}

export class AutoFixer implements FixStage {
  readonly unavailableReason = null;

  constructor(private readonly deps: AutoFixerDeps) {}

  /** Before the first task: undo attempts a crash cut short, and restore breakers and spend. */
  async init(workspace: Workspace): Promise<void> {
    try {
      await this.recover(workspace, 'a fix attempt was interrupted by a crash');
    } catch (error) {
      // The daemon still starts (checks go on); every fix refuses to start until this is resolved.
      this.deps.logger.error({ err: error }, 'rollback journal not replayed');
      const message = `${(error as Error).message}; no fix starts until it is replayed`;
      this.deps.console.line('AutoFixer', this.deps.console.style.red(message));
    }
    const state = await this.deps.store.read();
    this.deps.usage.restore(state);
    this.deps.breakers.restore(state);
  }

  /**
   * Replays journals left behind (a crash, or a rollback that failed): no fix on a half-restored
   * tree.
   */
  private async recover(workspace: Workspace, why: string): Promise<void> {
    const toRel = (abs: string) => abs.slice(workspace.root.length + 1);
    const recovered = await recoverJournals(workspace.journalDir, (abs, data) =>
      workspace.ownWrite(toRel(abs), data),
    );
    const out = this.deps.console;
    if (recovered.restored.length)
      out.line('AutoFixer', `Rolled back ${recovered.restored.map(toRel).join(', ')}: ${why}`);
    if (recovered.keptUserEdits.length) {
      const files = recovered.keptUserEdits.map(toRel).join(', ');
      out.line(
        'AutoFixer',
        `Kept your later edits to ${files} (an interrupted attempt had touched them)`,
      );
    }
  }

  close(): void {
    this.deps.breakers.shutdown();
  }

  async fix(task: Task, verdict: Verdict, run: FixRun): Promise<FixResult> {
    const key = task.file_path ?? `(${task.type})`;
    try {
      await this.recover(run.workspace, 'an earlier rollback had not finished');
    } catch (error) {
      const why =
        `an earlier attempt's rollback is not finished: ${(error as Error).message}; ` +
        'no fix starts until it is';
      return { kind: 'failed', error: why, verdict };
    }
    const capped = this.capMessage();
    if (capped) return { kind: 'failed', error: capped, verdict, patch: { cost_capped: true } };
    const repairDeps = {
      ...this.deps,
      attemptTimeoutMs: this.deps.fix.attemptTimeoutMs,
      capMessage: () => this.capMessage(),
      saveUsage: (delta: Parameters<UsageMeter['writeTo']>[1]) =>
        this.deps.store
          .update((s) => this.deps.usage.writeTo(s, delta))
          .catch((e) => this.deps.logger.warn({ err: e }, 'usage not recorded')),
    };
    const result = await this.deps.breakers.run(
      key,
      () => repair(repairDeps, task, verdict, run),
      (r) => r.kind === 'failed',
    );
    if (result === 'open') return this.rejectedByBreaker(key, verdict);
    await this.afterTask(key, result);
    return result;
  }

  private async rejectedByBreaker(key: string, verdict: Verdict): Promise<FixResult> {
    const { breaker, console: out } = this.deps;
    const until = (await this.deps.store.read()).breakers[key] as { until?: string } | undefined;
    out.line('AutoFixer', out.style.red(`Circuit breaker open for ${key}; no fix attempted`));
    const why =
      `circuit breaker open for ${key} ` +
      `(${breaker.threshold} failed fixes within ${breaker.windowMs / 1000} s)` +
      (until?.until ? `; it half-opens at ${until.until}` : '');
    return { kind: 'failed', error: why, verdict, patch: { breaker_open: true } };
  }

  /** Breaker bookkeeping in the state: exact failure counts, and closing after a fix. */
  private async afterTask(key: string, result: FixResult): Promise<void> {
    const { breaker, clock } = this.deps;
    if (result.kind === 'failed' && !result.patch?.cost_capped) {
      const open = await this.deps.store.update((s) => {
        const reached = recordFailure(s, key, clock.now(), breaker.windowMs, breaker.threshold);
        if (reached) markBreaker(s, key, 'open', clock.now(), breaker.windowMs);
        return reached;
      });
      // Recorded first, so the state says "open" by the time the task is finished.
      if (open && this.deps.breakers.stateOf(key) !== 'open') this.deps.breakers.open(key);
      if (open) result.patch = { ...result.patch, breaker_opened: true };
    } else if (result.kind === 'fixed') {
      await this.deps.store.update((s) =>
        markBreaker(s, key, 'closed', clock.now(), breaker.windowMs),
      );
      this.deps.breakers.drop(key);
    }
  }

  /** Null while under the hourly cap; otherwise the sentence saying so. */
  capMessage(): string | null {
    const until = this.deps.usage.capReachedUntil();
    if (!until) return null;
    const spent = this.deps.usage.lastHour().toFixed(2);
    return (
      `hourly cost cap reached ($${spent} of $${this.deps.fix.maxCostUsdPerHour} ` +
      'in the last hour); ' +
      `auto-fix resumes after ${until.toISOString()}`
    );
  }
}
