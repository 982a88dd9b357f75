/** Slack channel: a Block Kit message through @slack/webhook's IncomingWebhook. */
import { IncomingWebhook } from '@slack/webhook';
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
          `*Failing test*: ${e.failing_test.name}\n` +
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
  private readonly webhook: IncomingWebhook;

  constructor(url: string, timeoutMs: number) {
    // Retries are ours (deliver), so the client's own are off.
    this.webhook = new IncomingWebhook(url, { timeout: timeoutMs, retryConfig: { retries: 0 } });
  }

  async send(e: EscalationEvent): Promise<Record<string, unknown>> {
    try {
      await this.webhook.send(slackMessage(e) as unknown as Parameters<IncomingWebhook['send']>[0]);
      return {};
    } catch (error) {
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
      if (status)
        throw new DeliveryError(
          `Slack answered HTTP ${status}`,
          status,
          retryAfterMs(original?.response?.headers?.['retry-after']),
        );
      const code = original?.code;
      throw new DeliveryError(
        code === 'ECONNABORTED'
          ? 'timed out'
          : code === 'ECONNREFUSED'
            ? 'connection refused'
            : (original?.message ?? (error as Error).message),
      );
    }
  }
}
