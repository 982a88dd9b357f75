/**
 * zod field builders for environment strings: each turns a raw string into a typed value or one
 * clear issue.
 */
import * as z from 'zod/mini';
import '../validate.js';

/** A parse failure; its message says what was expected. */
class Invalid {
  constructor(readonly message: string) {}
}
const blank = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === '';

/** Base: an optional string where '' counts as unset (common in .env files). */
function field<T>(parse: (raw: string) => T | Invalid, fallback: () => T) {
  return z.pipe(
    z.optional(z.string()),
    z.transform((raw: string | undefined, ctx): T => {
      if (blank(raw)) return fallback();
      const out = parse(raw.trim());
      if (out instanceof Invalid) {
        ctx.issues.push({ code: 'custom', message: out.message, input: raw });
        return z.NEVER;
      }
      return out;
    }),
  );
}

const issue = (message: string) => new Invalid(message);

/** A number with bounds; `int` for whole numbers. */
export function number(
  def: number,
  opts: { min?: number; above?: number; max?: number; int?: boolean; expected: string },
) {
  return field<number>(
    (raw) => {
      const n = Number(raw);
      const ok =
        Number.isFinite(n) &&
        (!opts.int || Number.isInteger(n)) &&
        (opts.min === undefined || n >= opts.min) &&
        (opts.above === undefined || n > opts.above) &&
        (opts.max === undefined || n <= opts.max);
      return ok ? n : issue(`expected ${opts.expected}`);
    },
    () => def,
  );
}

/** How a bound reads to a person: 86400 → "86400 (1 day)". */
const spoken = (seconds: number) => {
  const days = seconds / 86_400;
  return days >= 1 && Number.isInteger(days)
    ? `${seconds} (${days} day${days === 1 ? '' : 's'})`
    : String(seconds);
};

/**
 * Seconds (fractions allowed) converted to milliseconds, within bounds: a timer holds at most
 * 2^31 - 1 ms (about 24.8 days), and past it Node fires at once, so every duration is bounded.
 */
export function secondsAsMs(
  defSeconds: number,
  bounds: { min: number; max: number; above?: boolean },
) {
  const from = bounds.above ? `more than ${bounds.min}` : `from ${bounds.min}`;
  // The example stays within the bounds (0.2 only where fractions below one are allowed).
  const example = bounds.min < 0.2 ? '30 or 0.2' : `${defSeconds}`;
  const expected = `a number of seconds ${from} to ${spoken(bounds.max)}, e.g. ${example}`;
  const range = bounds.above ? { above: bounds.min } : { min: bounds.min };
  const seconds = number(defSeconds, { ...range, max: bounds.max, expected });
  return z.pipe(
    seconds,
    z.transform((s: number) => Math.round(s * 1000)),
  );
}

/** true/false (also 1/0, yes/no, on/off). */
export function boolean(def: boolean) {
  return field<boolean>(
    (raw) => {
      const v = raw.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      return issue('expected true or false (also accepted: 1/0, yes/no, on/off)');
    },
    () => def,
  );
}

/** true/false like `boolean`, or `undefined` when unset (the default depends on the case). */
export function optionalBoolean() {
  return z.pipe(
    z.optional(z.string()),
    z.transform((raw: string | undefined, ctx): boolean | undefined => {
      if (blank(raw)) return undefined;
      const parsed = z.safeParse(boolean(false), raw);
      if (parsed.success) return parsed.data;
      ctx.issues.push({
        code: 'custom',
        message: parsed.error.issues[0]?.message ?? '',
        input: raw,
      });
      return z.NEVER;
    }),
  );
}

/** One of a fixed set of words. */
export function oneOf<const T extends string>(values: readonly T[], def: T) {
  return field<T>(
    (raw) =>
      values.includes(raw as T) ? (raw as T) : issue(`expected one of: ${values.join(', ')}`),
    () => def,
  );
}

/** Free text; `undefined` when unset. */
export function text(def?: string) {
  return field<string | undefined>(
    (raw) => raw,
    () => def,
  );
}

/** An http(s) URL; `undefined` when unset. */
export function url(def?: string) {
  return field<string | undefined>(
    (raw) => {
      try {
        const u = new URL(raw);
        if (u.protocol === 'http:' || u.protocol === 'https:') return raw;
      } catch {
        /* reported below */
      }
      return issue('expected an http:// or https:// URL');
    },
    () => def,
  );
}

/** A redis:// or rediss:// URL; `undefined` when unset. */
export function redisUrl() {
  return field<string | undefined>(
    (raw) => {
      try {
        const u = new URL(raw.trim());
        if ((u.protocol === 'redis:' || u.protocol === 'rediss:') && u.hostname) return raw.trim();
      } catch {
        /* reported below */
      }
      return issue('expected a redis:// or rediss:// URL, e.g. redis://localhost:6379');
    },
    () => undefined,
  );
}

/** Comma-separated list, items trimmed, empties dropped; `check` validates each item. */
export function list(def: readonly string[], check?: (item: string) => string | undefined) {
  return field<string[]>(
    (raw) => {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const item of items) {
        const problem = check?.(item);
        if (problem) return issue(problem);
      }
      return items;
    },
    () => [...def],
  );
}
