/** How commands reach the shared queue: opened for one command, closed after it. */
import { openSharedQueue } from '../queue/open.js';
import type { SharedQueue } from '../queue/shared-queue.js';
import type { State } from '../store/schema.js';
import type { CommandContext } from './context.js';

/** Runs `fn` on the shared queue, or returns undefined when QUEUE_URL is unset (embedded). */
export async function withShared<T>(
  ctx: CommandContext,
  fn: (queue: SharedQueue) => Promise<T>,
): Promise<T | undefined> {
  const queue = await openSharedQueue(ctx.config);
  if (!queue) return undefined;
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

/** The state file, with the shared queue's orders and workers laid over it when there is one. */
export async function readView(ctx: CommandContext): Promise<State> {
  const state = await ctx.store.read();
  return (await withShared(ctx, (q) => q.view(state, ctx.clock.now()))) ?? state;
}

/**
 * Runs `fn` on the shared queue when QUEUE_URL is set and the task is not in the state file
 * (`local` says whether it is): `retry`, `respond` and `cancel` act where the order is.
 */
export async function onShared<T>(
  ctx: CommandContext,
  local: (state: State) => boolean,
  fn: (queue: SharedQueue) => Promise<T>,
): Promise<T | undefined> {
  if (!ctx.config.queue.url || local(await ctx.store.read())) return undefined;
  return withShared(ctx, fn);
}
