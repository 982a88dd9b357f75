/**
 * The HTTP end of Claude Code's hooks: the hook command posts each hook input here (127.0.0.1, a
 * per-attempt bearer token) and prints the decision it gets back. What to decide is the subclass's.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_FILE_BYTES } from '../../safety/limits.js';

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

/**
 * Hook inputs carry a Write's content (≤ MAX_FILE_BYTES) plus its response: generous, but
 * bounded.
 */
const MAX_HOOK_BYTES = 8 * MAX_FILE_BYTES;

/** A denial with its reason (shown to the model). */
export const deny = (reason: string): HookDecision => ({ permissionDecision: 'deny', reason });

export abstract class HookServer {
  private server: Server | undefined;
  private closed = false;
  private readonly inflight = new Set<Promise<HookDecision>>();
  readonly token = randomBytes(16).toString('hex');
  url = '';

  /** The decision for one hook call. */
  protected abstract answer(input: HookInput): Promise<HookDecision>;

  /** Decides one hook call (an error denies it); `stop()` waits for every call in flight. */
  decide(input: HookInput): Promise<HookDecision> {
    if (this.closed) return Promise.resolve(deny('the fix attempt is over'));
    const pending = this.answer(input).catch((error: Error) =>
      deny(`gate error: ${error.message}`),
    );
    this.inflight.add(pending);
    return pending.finally(() => this.inflight.delete(pending));
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const answer = (decision: HookDecision) => {
        if (res.writableEnded || res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(decision));
      };
      if (req.headers.authorization !== `Bearer ${this.token}`)
        return answer(deny('bad gate token'));
      // A hook killed mid-request (the attempt ended) must never take the daemon down with it.
      req.on('error', () => res.destroy());
      res.on('error', () => {});
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_HOOK_BYTES) req.destroy();
        else chunks.push(c);
      });
      req.on('end', () => {
        let input: HookInput | undefined;
        try {
          input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as HookInput;
        } catch {
          /* denied below */
        }
        void (
          input ? this.decide(input) : Promise.resolve(deny('the hook sent no valid JSON'))
        ).then(answer);
      });
    });
    const server = this.server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  /**
   * Refuses new calls and waits for those in flight, so nothing is journalled after rollback
   * begins.
   */
  async stop(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server?.closeAllConnections?.();
  }
}
