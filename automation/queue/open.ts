/** Opens the project's shared queue for a command or the daemon (CONTRACT.md §7). */
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import { createGit } from '../git/git.js';
import { repositoryOf } from '../git/repository.js';
import type { State } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import { QueueSetupError, QueueUnavailableError } from './errors.js';
import { originUrl } from './name.js';
import type { SharedQueue } from './shared-queue.js';

/**
 * BullMQ and ioredis (1.5 MB) load only when QUEUE_URL is set: read-only commands of an
 * embedded queue start as fast as the rest of the CLI.
 */
const queueModules = async () => {
  const [redis, shared] = await Promise.all([import('./redis.js'), import('./shared-queue.js')]);
  return { ...redis, SharedQueue: shared.SharedQueue };
};

/**
 * The shared queue of `config`'s repository, connected once; undefined when QUEUE_URL is unset
 * (embedded). QueueUnavailableError when Redis cannot be reached, QueueSetupError without origin.
 */
export async function openSharedQueue(config: Config): Promise<SharedQueue | undefined> {
  const url = config.queue.url;
  if (!url) return undefined;
  const repoRoot = repositoryOf(config.projectRoot);
  if (!repoRoot)
    throw new QueueSetupError(
      `The shared queue needs PROJECT_ROOT (${config.projectRoot}) to be in a git repository ` +
        'cloned from the origin the workers use; clone it, or unset QUEUE_URL.',
    );
  const origin = await originUrl(createGit(config.childEnv), repoRoot);
  const { SharedQueue, commandRedis } = await queueModules();
  return new SharedQueue(await commandRedis(url), url, origin);
}

/**
 * The shared queue for a long-lived process (the daemon): opened at first use on a connection
 * that retries with backoff; `onRetry` is told of each retry. Undefined without QUEUE_URL.
 */
export function lastingQueue(
  config: Config,
  onRetry: (attempt: number, delayMs: number) => void,
): { get: () => Promise<SharedQueue>; close: () => Promise<void> } | undefined {
  const url = config.queue.url;
  if (!url) return undefined;
  let opened: Promise<SharedQueue> | undefined;
  const get = () => {
    opened ??= (async () => {
      const repoRoot = repositoryOf(config.projectRoot) ?? config.projectRoot;
      const origin = await originUrl(createGit(config.childEnv), repoRoot);
      const { SharedQueue, lastingRedis } = await queueModules();
      return new SharedQueue(lastingRedis(url, onRetry), url, origin);
    })();
    opened.catch(() => {
      opened = undefined;
    });
    return opened;
  };
  const close = async () => (await opened?.catch(() => undefined))?.close();
  return { get, close };
}

/** What a command brings to the shared queue. */
export interface QueueUser {
  config: Config;
  store: StateStore;
  clock: Clock;
}

/** Runs `fn` on the shared queue, or returns undefined when QUEUE_URL is unset (embedded). */
export async function withShared<T>(
  ctx: QueueUser,
  fn: (queue: SharedQueue) => Promise<T>,
): Promise<T | undefined> {
  const started = Date.now();
  const queue = await openSharedQueue(ctx.config);
  if (!queue) return undefined;
  const url = ctx.config.queue.url ?? '';
  const { bounded, COMMAND_DEADLINE_MS, notAnswering } = await queueModules();
  // However many commands `fn` sends, a Redis that stopped answering holds it COMMAND_DEADLINE_MS.
  const left = Math.max(1000, COMMAND_DEADLINE_MS - (Date.now() - started));
  try {
    const work = fn(queue);
    work.catch(() => {});
    return await bounded(work, left, () => {
      throw notAnswering(url, COMMAND_DEADLINE_MS);
    });
  } finally {
    await queue.close();
  }
}

/**
 * The state file, with the shared queue's orders and workers laid over it when there is one.
 * `warn`: Redis unreachable is said there and the state file alone is read (`fixloop status`
 * keeps its exit codes); without it, QueueUnavailableError.
 */
export async function readView(ctx: QueueUser, warn?: (message: string) => void): Promise<State> {
  const state = await ctx.store.read();
  try {
    return (await withShared(ctx, (q) => q.view(state, ctx.clock.now()))) ?? state;
  } catch (error) {
    if (!warn || !(error instanceof QueueUnavailableError)) throw error;
    warn(`${error.message.replace(/ \(nothing was changed\)\.$/, '')}; showing this clone only`);
    return state;
  }
}

/**
 * Runs `fn` on the shared queue when QUEUE_URL is set and the task is not in the state file
 * (`local` says whether it is): `retry`, `respond` and `cancel` act where the order is.
 */
export async function onShared<T>(
  ctx: QueueUser,
  local: (state: State) => boolean,
  fn: (queue: SharedQueue) => Promise<T>,
): Promise<T | undefined> {
  if (!ctx.config.queue.url || local(await ctx.store.read())) return undefined;
  return withShared(ctx, fn);
}
