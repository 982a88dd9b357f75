/**
 * The deciding end of Claude Code's hooks: the Agent SDK hands each PreToolUse/PostToolUse call to
 * `decide` in this process (over the CLI's own stdio, no port). What to decide is the subclass's.
 */

export interface HookInput {
  hook_event_name?: string;
  tool_name?: string;
  tool_input?: Record<string, unknown>;
  tool_response?: unknown;
}

export interface HookDecision {
  permissionDecision?: 'allow' | 'deny';
  reason?: string;
}

/** A denial with its reason (shown to the model). */
export const deny = (reason: string): HookDecision => ({ permissionDecision: 'deny', reason });

export abstract class HookCalls {
  private closed = false;
  private readonly inflight = new Set<Promise<HookDecision>>();

  /** The decision for one hook call. */
  protected abstract answer(input: HookInput): Promise<HookDecision>;

  /** Decides one hook call (an error denies it); `stop()` waits for every call in flight. */
  decide(input: HookInput): Promise<HookDecision> {
    if (this.closed) return Promise.resolve(deny('the fix attempt is over'));
    const pending: Promise<HookDecision> = this.answer(input)
      .catch((error: Error) => deny(`gate error: ${error.message}`))
      .finally(() => this.inflight.delete(pending));
    this.inflight.add(pending);
    return pending;
  }

  /**
   * Refuses new calls and waits for those in flight, so nothing is journalled after rollback
   * begins.
   */
  async stop(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
  }
}
