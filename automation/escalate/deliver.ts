/**
 * Delivery: every send is time-limited and retried a bounded number of times, honouring 429
 * retry-after.
 */
import pRetry, { AbortError } from 'p-retry';

/** A failed HTTP delivery, with what is needed to decide on a retry. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface DeliveryOptions {
  /** Tries after the first. */
  retries: number;
  /** Per try. */
  timeoutMs: number;
  minDelayMs: number;
  /** The longest retry-after that is honoured; longer ones fail the delivery. */
  maxRetryAfterMs: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  retries: 2,
  timeoutMs: 10_000,
  minDelayMs: 500,
  maxRetryAfterMs: 30_000,
};

/** Parses `retry-after` (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Runs `send(signal)` with a per-try timeout and bounded retries; 4xx other than 408/429 are not
 * retried.
 */
export async function deliver<T>(
  send: (signal: AbortSignal) => Promise<T>,
  options: DeliveryOptions = DEFAULT_DELIVERY,
): Promise<{ value: T; tries: number }> {
  let tries = 0;
  const value = await pRetry(
    async () => {
      tries++;
      try {
        return await send(AbortSignal.timeout(options.timeoutMs));
      } catch (error) {
        const e = error as DeliveryError;
        if (e.status && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429)
          throw new AbortError(e);
        if (e.retryAfterMs !== undefined && e.retryAfterMs > options.maxRetryAfterMs)
          throw new AbortError(e);
        throw error;
      }
    },
    {
      retries: options.retries,
      minTimeout: options.minDelayMs,
      factor: 2,
      randomize: true,
      onFailedAttempt: async ({ error }) => {
        const wait = (error as DeliveryError).retryAfterMs;
        if (wait) await new Promise((r) => setTimeout(r, wait));
      },
    },
  );
  return { value, tries };
}

/** One line for a delivery failure (timeouts and refused connections named as such). */
export function describeDeliveryError(error: unknown): string {
  const e = error as Error & { code?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ECONNABORTED')
    return 'timed out';
  const code = e.code ?? e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  return e.message?.slice(0, 300) ?? String(error);
}
