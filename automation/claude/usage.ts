/**
 * Token usage and cost: priced per call, summed per task and per run, with a rolling hourly cap.
 */
import type { Clock } from '../clock.js';
import type { State } from '../store/schema.js';

/** US dollars per million tokens. */
interface Price {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

const price = (input: number, output: number): Price => ({
  input,
  output,
  cacheWrite: input * 1.25,
  cacheRead: input * 0.1,
});

/**
 * Published list prices by model family; the first matching prefix wins. Unknown models are priced
 * as Sonnet.
 */
const PRICES: Array<[RegExp, Price]> = [
  [/^claude-opus-4-[5-9]|^claude-opus-[5-9]/, price(5, 25)],
  [/^claude-opus/, price(15, 75)],
  [/^claude-haiku-4|^claude-haiku-[5-9]/, price(1, 5)],
  [/^claude-3-5-haiku|^claude-3-haiku/, price(0.8, 4)],
  [/^claude-sonnet|^claude-3/, price(3, 15)],
];

export interface CallUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Cost in US dollars of one call. */
export function costOf(model: string, u: CallUsage): number {
  const p = PRICES.find(([re]) => re.test(model))?.[1] ?? price(3, 15);
  return (
    (u.input_tokens * p.input +
      u.output_tokens * p.output +
      (u.cache_creation_input_tokens ?? 0) * p.cacheWrite +
      (u.cache_read_input_tokens ?? 0) * p.cacheRead) /
    1e6
  );
}

export interface UsageTotals {
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_write_tokens: number;
  cache_read_tokens: number;
  cost_usd: number;
}

export const emptyTotals = (): UsageTotals => ({
  calls: 0,
  input_tokens: 0,
  output_tokens: 0,
  cache_write_tokens: 0,
  cache_read_tokens: 0,
  cost_usd: 0,
});

/** Adds one call to totals (in place). */
export function addCall(t: UsageTotals, model: string, u: CallUsage): UsageTotals {
  t.calls++;
  t.input_tokens += u.input_tokens;
  t.output_tokens += u.output_tokens;
  t.cache_write_tokens += u.cache_creation_input_tokens ?? 0;
  t.cache_read_tokens += u.cache_read_input_tokens ?? 0;
  t.cost_usd = Math.round((t.cost_usd + costOf(model, u)) * 1e6) / 1e6;
  return t;
}

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

  constructor(
    private readonly clock: Clock,
    private readonly capUsdPerHour: number,
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
    return cost;
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
    return cost;
  }

  /** Dollars spent in the last hour. */
  lastHour(): number {
    const since = this.clock.now() - HOUR;
    this.recent = this.recent.filter((r) => r.at > since);
    return this.recent.reduce((s, r) => s + r.cost, 0);
  }

  /** What the next call is expected to cost: the average so far, at least DEFAULT_CALL_USD. */
  callEstimate(): number {
    return Math.max(DEFAULT_CALL_USD, this.run.calls ? this.run.cost_usd / this.run.calls : 0);
  }

  /**
   * Admits one model call: with the calls already under way (each at its estimate) the hour's
   * spend must stay under the cap, so parallel workers cannot pass it by more than one call's
   * estimate. Returns the release to call when the call is over, or undefined at the cap.
   */
  reserve(): (() => void) | undefined {
    if (this.lastHour() + this.reservedUsd >= this.capUsdPerHour) return undefined;
    return this.hold(this.callEstimate());
  }

  /**
   * Admits a run that may spend up to `maxUsd` (a Claude Code run): its budget is what is left
   * under the cap after the calls and runs under way, at most `maxUsd`; held until released.
   */
  reserveBudget(maxUsd: number): { budget: number; release: () => void } | undefined {
    const left = this.capUsdPerHour - this.lastHour() - this.reservedUsd;
    if (left <= 0) return undefined;
    const budget = Math.min(maxUsd, left);
    return { budget, release: this.hold(budget) };
  }

  private hold(usd: number): () => void {
    this.reservedUsd += usd;
    let released = false;
    return () => {
      if (!released) this.reservedUsd -= usd;
      released = true;
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
