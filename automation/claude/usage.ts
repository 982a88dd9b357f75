/**
 * Token usage and cost: priced per call, summed per task and per run, with a rolling hourly cap.
 */
import type { Clock } from '../clock.js';
import type { State } from '../store/schema.js';
import { addCall, type CallUsage, costOf, emptyTotals, type UsageTotals } from './cost.js';
import { admitShared, type SharedAnswer, type SpendLedger } from './ledger.js';

export {
  addCall,
  type CallUsage,
  costOf,
  emptyTotals,
  type UsageTotals,
} from './cost.js';
export type { Hold, SpendLedger } from './ledger.js';

const HOUR = 3_600_000;

/**
 * In-memory meter of the run, mirrored into `state.usage` by `writeTo`. Spend of the last hour
 * (from every run, via the state) decides the cap.
 */
/** A model call's expected cost before any was made (a mid-size Sonnet turn). */
export const DEFAULT_CALL_USD = 0.05;

export class UsageMeter {
  readonly run = emptyTotals();
  private recent: Array<{ at: number; cost: number }> = [];
  /** Dollars held by calls under way (parallel workers): counted against the cap. */
  private reservedUsd = 0;
  /** The hour's spend across the shared queue, as the ledger said last, and when. */
  private shared = { spent: 0, at: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly capUsdPerHour: number,
    /** The shared ledger (QUEUE_URL), opened at first use; absent: this process alone. */
    private readonly ledger?: () => Promise<SpendLedger | undefined>,
  ) {}

  /** Loads the last hour's spend from the state (so a restart does not reset the cap). */
  restore(state: State): void {
    const list = (state.usage as { recent?: Array<{ at: string; cost_usd: number }> }).recent ?? [];
    const since = this.clock.now() - HOUR;
    this.recent = list
      .map((r) => ({ at: Date.parse(r.at), cost: r.cost_usd }))
      .filter((r) => r.at > since);
  }

  record(model: string, u: CallUsage, task?: UsageTotals): number {
    const cost = costOf(model, u);
    addCall(this.run, model, u);
    if (task) addCall(task, model, u);
    this.recent.push({ at: this.clock.now(), cost });
    this.share(cost);
    return cost;
  }

  /** Spends on their way to the shared ledger, in order. */
  private sharing: Promise<void> = Promise.resolve();

  /** Tells the shared ledger of a spend (the local count stands when it cannot be told). */
  private share(cost: number): void {
    if (!this.ledger) return;
    const ledger = this.ledger;
    this.sharing = this.sharing.then(() =>
      ledger()
        .then((l) => l?.add(cost))
        .catch(() => {}),
    );
  }

  /** Resolves once every spend recorded so far has reached the shared ledger (or failed to). */
  flush(): Promise<void> {
    return this.sharing;
  }

  /**
   * Records a call whose cost the caller reports (Claude Code's total_cost_usd); priced by us when
   * absent.
   */
  recordCost(
    model: string,
    u: CallUsage,
    reportedUsd: number | undefined,
    task?: UsageTotals,
  ): number {
    const cost = reportedUsd ?? costOf(model, u);
    for (const t of task ? [this.run, task] : [this.run]) {
      addCall(t, model, u);
      t.cost_usd = Math.round((t.cost_usd - costOf(model, u) + cost) * 1e6) / 1e6;
    }
    this.recent.push({ at: this.clock.now(), cost });
    this.share(cost);
    return cost;
  }

  /** Dollars spent in the last hour (across the shared queue, as last known). */
  lastHour(): number {
    const since = this.clock.now() - HOUR;
    this.recent = this.recent.filter((r) => r.at > since);
    // With the ledger unreachable, what it said last still counts, for the hour it covers.
    const shared = this.shared.at > since ? this.shared.spent : 0;
    return Math.max(
      shared,
      this.recent.reduce((s, r) => s + r.cost, 0),
    );
  }

  /** What the next call is expected to cost: the average so far, at least DEFAULT_CALL_USD. */
  callEstimate(): number {
    return Math.max(DEFAULT_CALL_USD, this.run.calls ? this.run.cost_usd / this.run.calls : 0);
  }

  /**
   * Admits one model call. At the cap (the hour's real spend) it is refused (undefined). Below it,
   * a call that does not fit only because of calls under way (parallel workers, each held at its
   * estimate) waits for them to end, until `signal` (the attempt's deadline) aborts; a call with
   * none under way always starts, so the cap is passed by at most one call. Resolves to the
   * release to call when the call is over.
   */
  async admit(signal?: AbortSignal): Promise<(() => void) | undefined> {
    const shared = await admitShared(
      this.ledger,
      this.request('call', this.callEstimate()),
      signal,
    );
    if (shared !== 'local') return this.sharedAnswer(shared)?.release;
    for (;;) {
      const spent = this.lastHour();
      if (spent >= this.capUsdPerHour) return undefined;
      const estimate = this.callEstimate();
      if (this.reservedUsd === 0 || spent + this.reservedUsd + estimate <= this.capUsdPerHour)
        return this.hold(estimate);
      await this.released(signal);
    }
  }

  /**
   * Admits a run that may spend up to `maxUsd` (a Claude Code run): its budget is what is left
   * under the cap after the calls and runs under way, at most `maxUsd`, held until released. At the
   * cap it is refused; while what is left is less than one call, it waits as `admit` does.
   */
  async admitBudget(
    maxUsd: number,
    signal?: AbortSignal,
  ): Promise<{ budget: number; release: () => void } | undefined> {
    const shared = await admitShared(this.ledger, this.request('budget', maxUsd), signal);
    if (shared !== 'local') return this.sharedAnswer(shared);
    for (;;) {
      const spent = this.lastHour();
      if (spent >= this.capUsdPerHour) return undefined;
      const left = this.capUsdPerHour - spent - this.reservedUsd;
      if (this.reservedUsd === 0 || left >= Math.min(maxUsd, this.callEstimate())) {
        const budget = Math.min(maxUsd, this.reservedUsd === 0 ? this.capUsdPerHour - spent : left);
        return { budget, release: this.hold(budget) };
      }
      await this.released(signal);
    }
  }

  /** A request to the shared ledger. */
  private request(mode: 'call' | 'budget', usd: number) {
    return { mode, usd, capUsd: this.capUsdPerHour, estimateUsd: this.callEstimate() };
  }

  /** Keeps the spend the shared ledger said; what it admitted (undefined at the cap). */
  private sharedAnswer(answer: SharedAnswer) {
    this.shared = { spent: answer.spent, at: this.clock.now() };
    return answer.admitted;
  }

  /** Closes the shared ledger's connection, if one was opened. */
  async close(): Promise<void> {
    await this.flush();
    await (await this.ledger?.().catch(() => undefined))?.close?.();
  }

  /** Resolves when a call under way ends (its reservation released); rejects at `signal`. */
  private released(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const abort = () => {
        this.waiting.delete(done);
        reject(signal?.reason ?? new Error('aborted'));
      };
      const done = () => {
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      this.waiting.add(done);
    });
  }

  /** Calls waiting for a reservation to be released. */
  private readonly waiting = new Set<() => void>();

  private hold(usd: number): () => void {
    this.reservedUsd += usd;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reservedUsd = Math.max(0, this.reservedUsd - usd);
      const waiting = [...this.waiting];
      this.waiting.clear();
      for (const wake of waiting) wake();
    };
  }

  /** The sentence a call refused at the cap ends with. */
  capText(): string {
    const spent = this.lastHour().toFixed(2);
    return `hourly cost cap reached ($${spent} of $${this.capUsdPerHour} in the last hour)`;
  }

  /** Null while under the cap; otherwise when spending may resume. */
  capReachedUntil(): Date | null {
    if (this.lastHour() < this.capUsdPerHour) return null;
    const oldest = this.recent[0];
    return new Date((oldest?.at ?? this.clock.now()) + HOUR);
  }

  /** Mirrors run totals, the hour's spend and a cumulative total into state.usage. */
  writeTo(state: State, delta: UsageTotals): void {
    const u = state.usage as Record<string, unknown>;
    const total = (u.total as UsageTotals | undefined) ?? emptyTotals();
    for (const k of Object.keys(delta) as Array<keyof UsageTotals>)
      total[k] = Math.round((total[k] + delta[k]) * 1e6) / 1e6;
    u.total = total;
    u.run = { ...this.run };
    u.last_hour_cost_usd = Math.round(this.lastHour() * 1e6) / 1e6;
    u.cap_usd_per_hour = this.capUsdPerHour;
    u.recent = this.recent.map((r) => ({ at: new Date(r.at).toISOString(), cost_usd: r.cost }));
  }
}
