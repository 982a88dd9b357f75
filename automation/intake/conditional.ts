/**
 * Conditional reads: a GET that sends the ETag of the last answer as If-None-Match. GitHub answers
 * 304 when nothing changed, and a 304 costs no rate limit.
 */
import { type Failure, wrap } from './errors.js';
import type { Conditional } from './github-api.js';

/** Runs `get` with If-None-Match when there is an `etag`; a 304 is `unchanged`. */
export async function conditional<T>(
  what: string,
  etag: string | undefined,
  get: (headers: Record<string, string>) => Promise<{ headers: { etag?: string }; data: T }>,
): Promise<Conditional<T>> {
  try {
    const res = await get(etag ? { 'if-none-match': etag } : {});
    return { unchanged: false, etag: res.headers.etag, value: res.data };
  } catch (error) {
    if ((error as Failure).status === 304) return { unchanged: true };
    throw wrap(error, what);
  }
}
