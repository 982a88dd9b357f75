/**
 * Connections to the shared queue's Redis. The URL may carry a password: only `redisLabel` (host,
 * port, database) is ever shown.
 */
import { Redis } from 'ioredis';
import { QueueUnavailableError } from './errors.js';

/** `redis://host:port/db` without user or password, for messages. */
export function redisLabel(url: string): string {
  try {
    const u = new URL(url);
    const db = u.pathname && u.pathname !== '/' ? u.pathname : '';
    return `${u.protocol}//${u.hostname}:${u.port || '6379'}${db}`;
  } catch {
    return 'Redis';
  }
}

/** Short reason of a connection error (`ECONNREFUSED`, `WRONGPASS`…), never the URL. */
export function connectionReason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e?.code === 'NOT_ANSWERING') return 'it accepts connections but does not answer';
  if (e?.code) return e.code;
  const message = String(e?.message ?? error);
  return (message.split('\n')[0] ?? 'unknown error').slice(0, 120).replace(/\.$/, '');
}

/**
 * A connection for a long-lived process (workers, the daemon): retries forever with backoff
 * (capped at 5 s), as BullMQ's blocking commands need; `onRetry` is told of each retry.
 */
export function lastingRedis(url: string, onRetry?: (attempt: number, delayMs: number) => void) {
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: 'fixloop',
    retryStrategy: (times) => {
      const delay = Math.min(250 * 2 ** Math.min(times - 1, 5), 5000);
      onRetry?.(times, delay);
      return delay;
    },
  });
  watchAnswers(client);
  return client;
}

/** How often a lasting connection checks that Redis still answers, and how long it waits. */
const WATCH_MS = 5000;

/**
 * A server that accepts connections but no longer answers (paused, overloaded, a network black
 * hole) never closes the connection, so it would never be retried: a PING unanswered for
 * WATCH_MS, or a connection stuck before ready that long, is treated as lost (`NOT_ANSWERING`).
 */
function watchAnswers(client: Redis): void {
  let stuck = 0;
  let busy = false;
  const lost = () => {
    const error = Object.assign(new Error('Redis does not answer'), { code: 'NOT_ANSWERING' });
    client.emit('error', error);
    client.disconnect(true);
  };
  const timer = setInterval(() => {
    if (busy) return;
    if (client.status === 'connect') {
      if (++stuck >= 2) {
        stuck = 0;
        lost();
      }
      return;
    }
    stuck = 0;
    if (client.status !== 'ready') return;
    busy = true;
    const ping = client.ping().then(
      () => true,
      () => true,
    );
    void bounded(ping, WATCH_MS, () => false).then((answered) => {
      busy = false;
      if (!answered) lost();
    });
  }, WATCH_MS);
  timer.unref();
  client.once('end', () => clearInterval(timer));
}

/** How long a command waits on Redis in all (a server that accepts and never answers). */
export const COMMAND_DEADLINE_MS = 7_000;

/** Redis accepted the connection but did not answer in time. */
export function notAnswering(url: string, ms: number): QueueUnavailableError {
  return new QueueUnavailableError(
    `The shared queue's Redis at ${redisLabel(url)} accepts connections but did not answer ` +
      `within ${Math.round(ms / 1000)} s (is it paused or overloaded?); check it, then try ` +
      'again (nothing was changed).',
  );
}

/**
 * A connection for one command (`add`, `tasks`…): connects once, or throws QueueUnavailableError
 * naming the address (never the password) and the fix. No command is held back while offline,
 * and none waits past `timeoutMs` for an answer (a server that accepts and never answers).
 */
export async function commandRedis(url: string, timeoutMs = 2500): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    connectionName: 'fixloop-cli',
    retryStrategy: () => null,
  });
  let last: unknown;
  // The first error says why (a timeout is followed by "stream isn't writeable").
  client.on('error', (error) => {
    last ??= error;
  });
  try {
    // Connected is not ready: a server that accepts but never answers its ready check.
    const ready = client.connect();
    ready.catch(() => {});
    await bounded(ready, timeoutMs * 2, () => {
      throw notAnswering(url, timeoutMs * 2);
    });
    return client;
  } catch (error) {
    if (error instanceof QueueUnavailableError) {
      client.disconnect();
      throw error;
    }
    client.disconnect();
    throw new QueueUnavailableError(
      `The shared queue's Redis at ${redisLabel(url)} cannot be reached ` +
        `(${connectionReason(last ?? error)}); start it or fix QUEUE_URL, then try again ` +
        '(nothing was changed).',
      last ?? error,
    );
  }
}

/**
 * `work`, or `fallback()` after `ms` (or at `signal`): a lasting connection holds commands while
 * Redis is away, and a reader must not wait for it (the dashboard, a stopping daemon).
 */
export function bounded<T>(
  work: Promise<T>,
  ms: number,
  fallback: () => T,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', give);
    };
    const give = () => {
      done();
      try {
        resolve(fallback());
      } catch (error) {
        reject(error);
      }
    };
    const timer = setTimeout(give, ms);
    signal?.addEventListener('abort', give, { once: true });
    work.then(
      (v) => {
        done();
        resolve(v);
      },
      (e) => {
        done();
        reject(e);
      },
    );
  });
}
