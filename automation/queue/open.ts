/** Opens the project's shared queue for a command or the daemon (CONTRACT.md §7). */
import type { Config } from '../config/config.js';
import { createGit } from '../git/git.js';
import { repositoryOf } from '../git/repository.js';
import { QueueSetupError } from './errors.js';
import { originUrl } from './name.js';
import { commandRedis } from './redis.js';
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
