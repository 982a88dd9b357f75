/** What model calls cost: list prices per model family, and totals of calls. */

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
