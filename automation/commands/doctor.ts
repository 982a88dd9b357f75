/**
 * `fixloop doctor`: checks configuration, runner detection, state file and lock, watch limits, API
 * reachability, channels.
 */

import { execFile } from 'node:child_process';
import type { Dirent } from 'node:fs';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildEscalator } from '../app/escalator.js';
import { detectRunner } from '../check/detect.js';
import { createAnthropicClient, describeApiError } from '../claude/client.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { RawEnv } from '../config/env-source.js';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { DaemonConsole } from '../daemon/console.js';
import { ALWAYS_IGNORED_DIRS } from '../fs/ignored-dirs.js';
import { silentLogger } from '../log/logger.js';
import { DEFAULT_STALE_MS } from '../store/lock.js';
import { stateSchema } from '../store/schema.js';
import { StateStore } from '../store/store.js';
import type { CommandResult } from './context.js';
import { ExitCode } from './exit-codes.js';

export interface Check {
  name: string;
  status: 'ok' | 'fail' | 'skip';
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

const ok = (name: string, detail: string): Check => ({ name, status: 'ok', detail });
const fail = (name: string, detail: string, fix: string): Check => ({
  name,
  status: 'fail',
  detail,
  fix,
});
const skip = (name: string, detail: string): Check => ({ name, status: 'skip', detail });

function stateChecks(config: Config): Check[] {
  const checks: Check[] = [];
  const dir = dirname(config.stateFile);
  try {
    accessSync(existsSync(dir) ? dir : dirname(dir), constants.W_OK);
    if (!existsSync(config.stateFile))
      checks.push(
        ok('state file', `${config.stateFile} (not created yet; the first command creates it)`),
      );
    else {
      const parsed = stateSchema.safeParse(JSON.parse(readFileSync(config.stateFile, 'utf8')));
      checks.push(
        parsed.success
          ? ok('state file', `${config.stateFile} is valid`)
          : fail(
              'state file',
              `${config.stateFile} does not match the schema`,
              'the next fixloop command moves it aside to …corrupt-<timestamp> and starts fresh',
            ),
      );
    }
  } catch (error) {
    const why =
      error instanceof SyntaxError
        ? 'is not valid JSON'
        : `is not writable (${(error as NodeJS.ErrnoException).code})`;
    checks.push(
      fail(
        'state file',
        `${config.stateFile} ${why}`,
        error instanceof SyntaxError
          ? 'the next fixloop command moves it aside and starts fresh'
          : `make ${dir} writable or set STATE_FILE elsewhere`,
      ),
    );
  }
  try {
    const age = Date.now() - statSync(config.lockFile).mtimeMs;
    checks.push(
      age > DEFAULT_STALE_MS * 3
        ? fail(
            'state lock',
            `${config.lockFile} was left behind ${Math.round(age / 1000)} s ago`,
            `if no fixloop process is running: rm -r ${config.lockFile} ` +
              '(it is also taken over automatically)',
          )
        : ok('state lock', 'held right now by a fixloop process'),
    );
  } catch {
    checks.push(ok('state lock', 'free'));
  }
  return checks;
}

/** Directories the watcher would need watches for, versus the inotify limit (Linux). */
function watchLimitCheck(root: string): Check {
  let limit: number;
  try {
    limit = Number(readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim());
  } catch {
    return skip('watch limits', 'no inotify limit on this platform');
  }
  let dirs = 0;
  const walk = (d: string, depth: number) => {
    if (dirs > limit || depth > 30) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries)
      if (e.isDirectory() && !ALWAYS_IGNORED_DIRS.has(e.name) && !e.name.startsWith('.')) {
        dirs++;
        walk(join(d, e.name), depth + 1);
      }
  };
  walk(root, 0);
  return dirs < limit * 0.8
    ? ok('watch limits', `about ${dirs + 1} directories to watch; the inotify limit is ${limit}`)
    : fail(
        'watch limits',
        `about ${dirs + 1} directories to watch but fs.inotify.max_user_watches is ${limit}`,
        'sudo sysctl fs.inotify.max_user_watches=524288 (persist it in /etc/sysctl.conf), ' +
          'or add big directories to WATCH_IGNORE',
      );
}

async function apiCheck(config: Config): Promise<Check> {
  if (!config.fix.enabled) return skip('Anthropic API', 'AUTO_FIX_ENABLED=false: observe-only');
  const client = createAnthropicClient(config);
  if (!client)
    return skip(
      'Anthropic API',
      'no ANTHROPIC_API_KEY: observe-only (failures are recorded, nothing is fixed)',
    );
  try {
    await client.models.list({ limit: 1 });
    return ok(
      'Anthropic API',
      `reachable at ${config.anthropic.baseUrl ?? 'the default endpoint'}; ` +
        `models ${config.anthropic.plannerModel} / ${config.anthropic.fixerModel}`,
    );
  } catch (error) {
    const why = describeApiError(error);
    return fail(
      'Anthropic API',
      `not reachable: ${why}`,
      why.includes('401') ? 'check ANTHROPIC_API_KEY' : 'check ANTHROPIC_BASE_URL and your network',
    );
  }
}

function cliCheck(config: Config): Promise<Check[]> {
  if (config.headless.provider !== 'claude-code')
    return Promise.resolve([skip('Claude Code CLI', 'not needed (HEADLESS_PROVIDER=api)')]);
  const auth = config.headless.claudeCodeAuth;
  const note = config.anthropic.apiKey
    ? ''
    : ' (no ANTHROPIC_API_KEY: the planner uses its basic strategy)';
  const authCheck = auth
    ? ok('Claude Code auth', `${auth} will be used${note}`)
    : fail(
        'Claude Code auth',
        'no ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN or Claude Code login found',
        'set ANTHROPIC_API_KEY, or run "claude setup-token" and set CLAUDE_CODE_OAUTH_TOKEN, ' +
          'or log in with "claude"',
      );
  return new Promise((resolve) =>
    execFile(
      config.headless.cliPath,
      ['--version'],
      { timeout: 15_000, env: { ...config.childEnv, DISABLE_AUTOUPDATER: '1' } },
      (error, stdout) =>
        resolve([
          error
            ? fail(
                'Claude Code CLI',
                `${config.headless.cliPath} not found or not working`,
                'install Claude Code (npm i -g @anthropic-ai/claude-code) or set CLAUDE_CLI_PATH',
              )
            : ok('Claude Code CLI', `${config.headless.cliPath} ${stdout.trim()}`),
          authCheck,
        ]),
    ),
  );
}

async function escalationChecks(config: Config, sendTest: boolean): Promise<Check[]> {
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
  const store = new StateStore({ file: config.stateFile, lockFile: config.lockFile });
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

/** Runs every check; exit 0 when nothing failed, 1 otherwise. */
export async function doctor(
  io: { cwd: string; env: RawEnv },
  options: { escalationTest: boolean },
): Promise<CommandResult<DoctorReport>> {
  const checks: Check[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(io);
    checks.push(
      ok('configuration', `PROJECT_ROOT=${config.projectRoot}, STATE_FILE=${config.stateFile}`),
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    checks.push(
      fail(
        'configuration',
        error.problems.join('; '),
        'fix these variables in the environment or .env',
      ),
    );
  }
  if (config) {
    const runner = detectRunner(config.projectRoot, config.test.command);
    checks.push(
      runner
        ? ok('test runner', `${runner.runner.name} (${runner.reason})`)
        : fail(
            'test runner',
            'none detected',
            'set TEST_COMMAND, e.g. TEST_COMMAND="npm test -- {files}"',
          ),
    );
    checks.push(
      ...stateChecks(config),
      watchLimitCheck(config.projectRoot),
      await apiCheck(config),
      ...(await cliCheck(config)),
      ...(await escalationChecks(config, options.escalationTest)),
    );
  }
  const good = checks.every((c) => c.status !== 'fail');
  return { data: { ok: good, checks }, exitCode: good ? ExitCode.ok : ExitCode.failure };
}
