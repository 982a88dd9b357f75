/** Opens the project's shared queue for a command or the daemon (CONTRACT.md §7). */
import type { Config } from '../config/config.js';
import { createGit } from '../git/git.js';
import { repositoryOf } from '../git/repository.js';
import { QueueSetupError } from './errors.js';
import { originUrl } from './name.js';
import { commandRedis, lastingRedis } from './redis.js';
import { SharedQueue } from './shared-queue.js';

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
      return new SharedQueue(lastingRedis(url, onRetry), url, origin);
    })();
    opened.catch(() => {
      opened = undefined;
    });
    return opened;
  };
  return { get, close: async () => (await opened?.catch(() => undefined))?.close() };
}
