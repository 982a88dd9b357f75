/** Builds the Escalator and its configured channels from the configuration. */
import { hostname } from 'node:os';
import { basename } from 'node:path';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import { DEFAULT_DELIVERY, type DeliveryOptions } from '../escalate/deliver.js';
import { EmailChannel } from '../escalate/email.js';
import { Escalator } from '../escalate/escalator.js';
import { GitHubChannel } from '../escalate/github.js';
import type { Channel } from '../escalate/records.js';
import { SlackChannel } from '../escalate/slack.js';
import type { Logger } from '../log/logger.js';
import type { DaemonConsole } from '../output/console.js';
import type { StateStore } from '../store/store.js';

export function buildEscalator(
  config: Config,
  deps: {
    store: StateStore;
    clock: Clock;
    logger: Logger;
    console: DaemonConsole;
    onEscalated?: () => void;
    delivery?: DeliveryOptions;
  },
): Escalator {
  const e = config.escalation;
  const delivery = deps.delivery ?? DEFAULT_DELIVERY;
  const github =
    e.githubToken && e.githubRepo
      ? new GitHubChannel({ token: e.githubToken, repo: e.githubRepo, apiUrl: e.githubApiUrl })
      : undefined;
  const channels: Channel[] = [];
  if (e.slackWebhookUrl) channels.push(new SlackChannel(e.slackWebhookUrl, delivery.timeoutMs));
  if (github) channels.push(github);
  if (e.emailWebhookUrl) channels.push(new EmailChannel(e.emailWebhookUrl));
  return new Escalator({
    ...deps,
    channels,
    github,
    delivery,
    cooldownMs: e.cooldownMs,
    closeOnFix: e.closeOnFix,
    secrets: config.secrets,
    context: {
      project: basename(config.projectRoot),
      projectRoot: config.projectRoot,
      host: hostname(),
    },
  });
}
