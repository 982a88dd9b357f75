/** Doctor checks of the escalation channels (and, on request, a test message to each). */
import { buildEscalator } from '../app/escalator.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config/config.js';
import { silentLogger } from '../log/logger.js';
import { DaemonConsole } from '../output/console.js';
import { StateStore } from '../store/store.js';
import { type Check, fail, ok, skip } from './check.js';

/** Which channels are configured; with `sendTest`, whether a test message reaches each. */
export async function escalationChecks(config: Config, sendTest: boolean): Promise<Check[]> {
  const e = config.escalation;
  const configured = [
    e.slackWebhookUrl && 'slack',
    e.githubToken && e.githubRepo && 'github',
    e.emailWebhookUrl && 'email',
  ].filter(Boolean) as string[];
  if (configured.length === 0)
    return [
      skip(
        'escalation',
        'no channel configured (SLACK_WEBHOOK_URL, GITHUB_TOKEN + GITHUB_REPO, EMAIL_WEBHOOK_URL)',
      ),
    ];
  if (!sendTest)
    return [
      ok(
        'escalation',
        `channels: ${configured.join(', ')} (send a test message with --escalation-test)`,
      ),
    ];
  const store = new StateStore({
    file: config.stateFile,
    lockFile: config.lockFile,
    secrets: config.secrets,
  });
  const escalator = buildEscalator(config, {
    store,
    clock: systemClock,
    logger: silentLogger,
    console: new DaemonConsole({ write: () => true }, false),
  });
  const record = await escalator.sendTest();
  return Object.entries(record?.channels ?? {}).map(([name, c]) =>
    c.status === 'sent'
      ? ok(`escalation: ${name}`, 'test message sent')
      : fail(
          `escalation: ${name}`,
          `test message failed: ${c.error}`,
          `check the ${name} settings`,
        ),
  );
}
