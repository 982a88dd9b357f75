/** The Anthropic client seam: one configured SDK client, honouring ANTHROPIC_BASE_URL. */
import Anthropic from '@anthropic-ai/sdk';
import type { Config } from '../config/config.js';

/**
 * Retry layering: the SDK retries transient API faults (429 honouring retry-after, 5xx, 529,
 * dropped connections) twice with its own backoff. A fault that outlives those retries ends the
 * fix for that task (it is not retried again by the AutoFixer, whose retries are only for
 * attempts whose tests still fail). So one layer per kind of failure, never multiplied.
 */
export const SDK_MAX_RETRIES = 2;

/** A request that takes longer than this is abandoned (then retried by the SDK). */
export const REQUEST_TIMEOUT_MS = 120_000;

export type AnthropicClient = Pick<Anthropic, 'messages' | 'models'>;

/** The real client, or undefined without an API key. */
export function createAnthropicClient(config: Config): AnthropicClient | undefined {
  if (!config.anthropic.apiKey) return undefined;
  return new Anthropic({
    apiKey: config.anthropic.apiKey,
    ...(config.anthropic.baseUrl ? { baseURL: config.anthropic.baseUrl } : {}),
    maxRetries: SDK_MAX_RETRIES,
    timeout: REQUEST_TIMEOUT_MS,
  });
}

/** Errors that retrying cannot fix: bad key, no permission, malformed request. */
export function isPermanentApiError(error: unknown): boolean {
  return (
    error instanceof Anthropic.APIError &&
    [400, 401, 403, 404, 413, 422].includes(error.status ?? 0)
  );
}

/** One line describing an API failure (never the key). */
export function describeApiError(error: unknown): string {
  if (error instanceof Anthropic.APIUserAbortError) return 'request aborted';
  if (error instanceof Anthropic.APIConnectionTimeoutError) return 'request timed out';
  if (error instanceof Anthropic.APIConnectionError)
    return `connection failed (${(error.cause as Error | undefined)?.message ?? error.message})`;
  if (error instanceof Anthropic.APIError)
    return `HTTP ${error.status ?? '?'}: ${error.message.slice(0, 200)}`;
  return (error as Error)?.message ?? String(error);
}
