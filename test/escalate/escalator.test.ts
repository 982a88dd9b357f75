import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEscalator } from '../../automation/app/escalator.js';
import type { Verdict } from '../../automation/check/verdict.js';
import { loadConfig } from '../../automation/config/load.js';
import { createFileLogger } from '../../automation/log/file-logger.js';
import { DaemonConsole } from '../../automation/output/console.js';
import type { Task } from '../../automation/store/schema.js';
import { StateStore } from '../../automation/store/store.js';
import { fakeChannels } from '../support/fake-http.js';
import { tempDir } from '../support/tmp.js';

const GH_TOKEN = `ghp_${'A1b2C3d4'.repeat(5)}`;
const PLANTED = 'plantedSecretValue-7d3f9e';

/**
 * `timeoutMs`: a try's bound. Long by default (a loaded machine answers late, and a retry would be
 * a second message); the tests of a hanging channel make it short.
 */
async function setup(env: Record<string, string> = {}, timeoutMs = 10_000) {
  const ch = await fakeChannels();
  const root = tempDir();
  const config = loadConfig({
    cwd: root,
    env: {
      SLACK_WEBHOOK_URL: `${ch.slack.url}/services/T000/B000/XXXX`,
      GITHUB_TOKEN: GH_TOKEN,
      GITHUB_REPO: 'acme/shop',
      GITHUB_API_URL: ch.github.url,
      EMAIL_WEBHOOK_URL: `${ch.email.url}/hooks/mail`,
      ESCALATION_COOLDOWN_SECONDS: '600',
      DEPLOY_TOKEN: PLANTED,
      ...env,
    },
  });
  let now = Date.parse('2026-06-01T10:00:00Z');
  const clock = { now: () => now };
  const store = new StateStore({ file: config.stateFile, lockFile: config.lockFile, clock });
  const lines: string[] = [];
  const logger = createFileLogger(config.logDir, { secrets: config.secrets });
  const escalator = buildEscalator(config, {
    store,
    clock,
    logger,
    console: new DaemonConsole({ write: (s: string) => lines.push(s) }, false),
    delivery: { retries: 2, timeoutMs, minDelayMs: 20, maxRetryAfterMs: 2000 },
  });
  return {
    ...ch,
    config,
    store,
    escalator,
    lines,
    advance: (ms: number) => (now += ms),
    logFile: join(config.logDir, 'automation.log'),
    /** The log as written so far (its sink appends in the background). */
    readLog: async () => {
      await logger.idle();
      const file = join(config.logDir, 'automation.log');
      return existsSync(file) ? readFileSync(file, 'utf8') : ''; // created by the first line
    },
  };
}

function failedTask(
  id = 'task_0000aaaa',
  message = 'expected -1 to be 5',
): { task: Task; verdict: Verdict } {
  const task: Task = {
    id,
    type: 'file_change',
    file_path: 'src/math.js',
    description: 'src/math.js changed',
    priority: 'normal',
    created_at: '2026-06-01T09:59:00Z',
    updated_at: '2026-06-01T10:00:00Z',
    status: 'failed',
    retry_count: 0,
    outcome: 'failed',
    error: `no fix passed the tests after 2 attempt(s); last: ${message}`,
    attempts: [
      {
        number: 1,
        started_at: 't',
        duration_ms: 10,
        outcome: 'rolled_back',
        edited_files: ['src/math.js'],
        error: 'x',
      },
      {
        number: 2,
        started_at: 't',
        duration_ms: 10,
        outcome: 'rolled_back',
        edited_files: ['src/math.js'],
        error: 'x',
      },
    ],
  };
  const verdict = {
    status: 'failed',
    passed: false,
    runner: 'vitest',
    scope: 'related',
    files: ['src/math.js'],
    command: 'vitest',
    counts: { passed: 1, failed: 1, skipped: 0, total: 2 },
    failures: [
      {
        name: 'math adds two numbers',
        file: 'test/math.test.js',
        message,
        excerpt: `AssertionError: ${message}\n at test/math.test.js:6:5`,
      },
    ],
    exit_code: 1,
    duration_ms: 500,
    output_excerpt: '',
    summary: '1 failed, 1 passed (vitest, related, 500 ms)',
  } as Verdict;
  return { task, verdict };
}

describe('Escalator with real clients against fake Slack, GitHub and email servers', () => {
  const failedTaskSent =
    'a failed task → one Slack message, one GitHub issue, one email POST, recorded as sent';
  it(failedTaskSent, async () => {
    const h = await setup();
    const { task, verdict } = failedTask();
    h.escalator.taskFinished(task, verdict);
    await h.escalator.drain(10_000);

    expect(h.slack.requests).toHaveLength(1);
    const slack = h.slack.requests[0]!.body;
    expect(slack.text).toMatch(/fixloop could not fix src\/math\.js/);
    const blocks = JSON.stringify(slack.blocks);
    for (const part of [
      'src/math.js',
      'task_0000aaaa',
      '*Attempts*\\n2',
      'math adds two numbers',
      'fixloop retry task_0000aaaa',
      'no fix passed the tests',
    ])
      expect(blocks).toContain(part);

    expect(h.github.issues).toHaveLength(1);
    const issue = h.github.issues[0]!;
    expect(issue.labels).toEqual(['fixloop', 'autofix-failure']);
    expect(issue.title).toBe('fixloop could not fix src/math.js');
    expect(issue.body).toMatch(/<!-- fixloop:fingerprint=[0-9a-f]{16} -->/);
    expect(h.github.requests.find((r) => r.method === 'POST')?.headers.authorization).toBe(
      `token ${GH_TOKEN}`,
    );

    expect(h.email.requests).toHaveLength(1);
    expect(h.email.requests[0]!.body).toMatchObject({
      source: 'fixloop',
      version: 1,
      kind: 'task_failed',
      level: 'error',
      file: 'src/math.js',
      task_id: 'task_0000aaaa',
      attempts: 2,
      retry_command: 'fixloop retry task_0000aaaa',
      failing_test: { name: 'math adds two numbers' },
    });

    const [record] = (await h.store.read()).escalations as Array<Record<string, any>>;
    expect(record).toMatchObject({
      kind: 'task_failed',
      task_id: 'task_0000aaaa',
      repeat_count: 0,
      github_issue: 1,
      channels: {
        slack: { status: 'sent', tries: 1 },
        github: { status: 'sent', action: 'created', issue_number: 1 },
        email: { status: 'sent' },
      },
    });
  });

  const repeatWithinCooldown =
    'a repeat within the cooldown is counted, not sent; ' +
    'after the cooldown it becomes a comment on the open issue';
  it(repeatWithinCooldown, async () => {
    const h = await setup();
    const first = failedTask('task_0000aaaa', 'expected -1 to be 5');
    h.escalator.taskFinished(first.task, first.verdict);
    await h.escalator.drain(10_000);
    h.advance(60_000);
    // same test, other numbers: same fingerprint
    const again = failedTask('task_0000bbbb', 'expected -2 to be 7');
    h.escalator.taskFinished(again.task, again.verdict);
    await h.escalator.drain(10_000);
    expect(h.slack.requests).toHaveLength(1);
    expect(h.github.issues).toHaveLength(1);
    expect(h.email.requests).toHaveLength(1);
    expect((await h.store.read()).escalations).toEqual([
      expect.objectContaining({ repeat_count: 1 }),
    ]);

    h.advance(600_000);
    const later = failedTask('task_0000cccc');
    h.escalator.taskFinished(later.task, later.verdict);
    await h.escalator.drain(10_000);
    expect(h.github.issues).toHaveLength(1);
    const happenedAgain = expect.stringMatching(/^Happened again \(2×\)/);
    expect(h.github.issues[0]!.comments).toEqual([happenedAgain]);
    expect(h.slack.requests).toHaveLength(2);
    const records = (await h.store.read()).escalations as Array<Record<string, any>>;
    expect(records[1]).toMatchObject({
      channels: { github: { action: 'commented', issue_number: 1 } },
    });
  });

  const laterFixRecovers =
    'a later fix comments "recovered", and closes the issue with ESCALATION_CLOSE_ON_FIX=true';
  it(laterFixRecovers, async () => {
    for (const close of [false, true]) {
      const h = await setup({ ESCALATION_CLOSE_ON_FIX: String(close) });
      const { task, verdict } = failedTask();
      h.escalator.taskFinished(task, verdict);
      await h.escalator.drain(10_000);
      h.escalator.taskFinished(
        { ...task, id: 'task_0000dddd', outcome: 'fixed', status: 'completed' },
        undefined,
      );
      await h.escalator.drain(10_000);
      const issue = h.github.issues[0]!;
      expect(issue.comments).toEqual([
        expect.stringMatching(/^Recovered: task `task_0000dddd` fixed `src\/math\.js`/),
      ]);
      expect(issue.state).toBe(close ? 'closed' : 'open');
      expect((await h.store.read()).escalations[0]).toHaveProperty('recovered_at');
    }
  });

  const slackFaults = [
    [
      'answering 500',
      (h: Awaited<ReturnType<typeof setup>>) => {
        h.slack.always = { status: 500 };
      },
      /HTTP 500/,
    ],
    [
      'hanging',
      (h: Awaited<ReturnType<typeof setup>>) => {
        h.slack.always = { hang: true };
      },
      /timed out/,
    ],
    [
      // Headers at once, then a byte now and then: only a limit on the whole exchange ends it.
      'trickling its answer',
      (h: Awaited<ReturnType<typeof setup>>) => {
        h.slack.always = { trickle: true };
      },
      /timed out/,
    ],
    [
      'refusing connections',
      async (h: Awaited<ReturnType<typeof setup>>) => {
        await h.slack.close();
      },
      /connection refused|ECONNREFUSED/,
    ],
  ] as const;
  for (const [what, breakSlack, expected] of slackFaults) {
    const title =
      `Slack ${what}: GitHub and email still go out, ` +
      'the failure is recorded, retries are bounded';
    it(title, async () => {
      const h = await setup({}, 400);
      await breakSlack(h);
      const { task, verdict } = failedTask();
      const started = Date.now();
      h.escalator.taskFinished(task, verdict);
      await h.escalator.drain(20_000);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(h.github.issues).toHaveLength(1);
      expect(h.email.requests).toHaveLength(1);
      // 1 + 2 retries
      if (what !== 'refusing connections') expect(h.slack.requests).toHaveLength(3);
      const [record] = (await h.store.read()).escalations as Array<Record<string, any>>;
      expect(record!.channels.slack).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(expected),
      });
      expect(record!.channels.github.status).toBe('sent');
      // Nothing of the failed sends is left open (it would hold the process at exit).
      await new Promise((r) => setTimeout(r, 200));
      expect(h.slack.trickling).toBe(0);
    });
  }

  it('honours a 429 retry-after from a channel', async () => {
    const h = await setup();
    h.email.faults.push({ status: 429, headers: { 'retry-after': '1' } });
    const { task, verdict } = failedTask();
    h.escalator.taskFinished(task, verdict);
    await h.escalator.drain(10_000);
    expect(h.email.requests).toHaveLength(2);
    const [record] = (await h.store.read()).escalations as Array<Record<string, any>>;
    expect(record!.channels.email).toMatchObject({ status: 'sent', tries: 2 });
  });

  const plantedSecrets =
    'secrets planted in a failure message and in an environment variable ' +
    'reach no server and no log';
  it(plantedSecrets, async () => {
    const h = await setup();
    const { task, verdict } = failedTask(
      'task_0000eeee',
      `connect failed with token ${PLANTED} and key sk-ant-api03-leakyleakyleaky and ${GH_TOKEN}`,
    );
    h.escalator.taskFinished(task, verdict);
    await h.escalator.drain(10_000);
    const everything = [...h.slack.requests, ...h.github.requests, ...h.email.requests]
      .map((r) => r.raw)
      .join('\n');
    expect(everything).toContain('[redacted]');
    for (const secret of [PLANTED, 'sk-ant-api03-leakyleakyleaky', GH_TOKEN])
      expect(everything).not.toContain(secret);
    const log = await h.readLog();
    const state = readFileSync(h.config.stateFile, 'utf8');
    for (const secret of [PLANTED, GH_TOKEN, h.config.escalation.slackWebhookUrl!]) {
      expect(log).not.toContain(secret);
      expect(state).not.toContain(secret);
    }
  });

  const escalatesOtherKinds =
    'escalates needs_input, an open breaker, the cost cap, ' +
    'and a health check failing twice in a row';
  it(escalatesOtherKinds, async () => {
    const h = await setup();
    const base = failedTask().task;
    h.escalator.taskNeedsInput({
      ...base,
      status: 'needs_input',
      outcome: undefined,
      question: 'Which rounding is right?',
    });
    h.escalator.taskFinished(
      { ...base, id: 'task_0000f001', breaker_open: true, attempts: [] },
      undefined,
    );
    h.escalator.taskFinished(
      { ...base, id: 'task_0000f002', cost_capped: true, attempts: [] },
      undefined,
    );
    h.escalator.taskFinished(
      { ...base, id: 'task_0000f003', attempts: [], error: '1 failed' },
      undefined,
    ); // observe-only failure: not escalated
    const report = {
      timestamp: 't',
      healthy: false,
      checks: { watcher: { ok: false, detail: 'the file watcher is not running' } },
    };
    h.escalator.healthFailed(report, 1);
    h.escalator.healthFailed(report, 2);
    await h.escalator.drain(10_000);
    const kinds = (
      (await h.store.read()).escalations as Array<{ kind: string; level: string }>
    ).map((e) => [e.kind, e.level]);
    expect(kinds.sort()).toEqual(
      [
        ['breaker_open', 'error'],
        ['cost_cap', 'error'],
        ['health_failed', 'error'],
        ['needs_input', 'warning'],
      ].sort(),
    );
    expect(h.email.requests.map((r) => r.body.kind).sort()).toEqual([
      'breaker_open',
      'cost_cap',
      'health_failed',
      'needs_input',
    ]);
  });
});
