/** Slack channel: a Block Kit message through @slack/webhook's IncomingWebhook. */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { IncomingWebhook } from '@slack/webhook';
import { DeliveryError, retryAfterMs } from './deliver.js';
import type { EscalationEvent } from './event.js';

const EMOJI = {
  error: ':red_circle:',
  warning: ':large_yellow_circle:',
  info: ':large_blue_circle:',
} as const;

/** The Block Kit message for an event. */
export function slackMessage(e: EscalationEvent) {
  const fields = [
    { type: 'mrkdwn', text: `*Project*\n${e.project}` },
    { type: 'mrkdwn', text: `*File*\n${e.file ? `\`${e.file}\`` : '—'}` },
    { type: 'mrkdwn', text: `*Task*\n\`${e.task_id ?? '—'}\`` },
    { type: 'mrkdwn', text: `*Attempts*\n${e.attempts}` },
  ];
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: e.title.slice(0, 150) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${EMOJI[e.level]} *${e.kind.replace('_', ' ')}*: ${e.reason.slice(0, 2500)}`,
      },
    },
    { type: 'section', fields },
  ];
  if (e.failing_test) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `*Failing test*: ${e.failing_test.name}` +
          `${e.failing_test.location ? ` (\`${e.failing_test.location}\`)` : ''}\n` +
          `\`\`\`${(e.failing_test.excerpt || e.failing_test.message).slice(0, 1500)}\`\`\``,
      },
    });
  }
  if (e.retry_command)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Next step: \`${e.retry_command}\` · ${e.host} · ${e.created_at}`,
        },
      ],
    });
  return { text: `${e.title}: ${e.reason.slice(0, 200)}`, blocks };
}

export class SlackChannel {
  readonly name = 'slack';

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Sends within `signal`: it bounds the whole exchange, body included (axios' own timeout stops
   * at the headers, so a trickling answer would hold the send and the process forever). Each
   * send has its own agent, destroyed at the end, so no socket outlives it.
   */
  async send(e: EscalationEvent, signal: AbortSignal): Promise<Record<string, unknown>> {
    // Loaded with the first send: the daemon does not carry axios (and Node's fetch, which axios
    // touches on load) until Slack is needed.
    const slack = await import('@slack/webhook');
    // A CommonJS package: its exports are the namespace's `default` (under Node and once bundled).
    const { IncomingWebhook } = (slack as unknown as { default?: typeof slack }).default ?? slack;
    const agent = this.url.startsWith('https:') ? new HttpsAgent() : new HttpAgent();
    // Retries are ours (deliver), so the client's own are off.
    const webhook = new IncomingWebhook(this.url, {
      timeout: this.timeoutMs,
      agent,
      retryConfig: { retries: 0 },
    });
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(new DeliveryError('timed out'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    const sending = webhook.send(
      slackMessage(e) as unknown as Parameters<IncomingWebhook['send']>[0],
    );
    sending.catch(() => {}); // lost the race to the deadline: already answered
    try {
      await Promise.race([sending, aborted]);
      return {};
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      throw slackError(error);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      agent.destroy();
    }
  }
}

/** A failed send as a DeliveryError (HTTP status and retry-after kept for the retry policy). */
function slackError(error: unknown): DeliveryError {
  const original = (
    error as {
      original?: {
        response?: { status?: number; headers?: Record<string, string> };
        code?: string;
        message?: string;
      };
    }
  ).original;
  const status = original?.response?.status;
  if (status) {
    const retryAfter = retryAfterMs(original?.response?.headers?.['retry-after']);
    return new DeliveryError(`Slack answered HTTP ${status}`, status, retryAfter);
  }
  const code = original?.code;
  return new DeliveryError(
    code === 'ECONNABORTED'
      ? 'timed out'
      : code === 'ECONNREFUSED'
        ? 'connection refused'
        : (original?.message ?? (error as Error).message),
  );
}
