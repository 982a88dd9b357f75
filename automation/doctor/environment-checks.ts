/** Doctor checks of the machine and the model: watch limits, the API, the Claude Code CLI. */
import { execFile } from 'node:child_process';
import type { Dirent } from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnthropicClient, describeApiError } from '../claude/client.js';
import type { Config } from '../config/config.js';
import { ALWAYS_IGNORED_DIRS } from '../fs/ignored-dirs.js';
import { type Check, fail, ok, skip } from './check.js';

/** Directories the watcher would need watches for, versus the inotify limit (Linux). */
export function watchLimitCheck(root: string): Check {
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

/** The API answers with the configured key (skipped observe-only). */
export async function apiCheck(config: Config): Promise<Check> {
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

/** The Claude Code CLI runs and has a way to authenticate (claude-code provider only). */
export function cliCheck(config: Config): Promise<Check[]> {
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
            : versionCheck(config.headless.cliPath, stdout.trim()),
          authCheck,
        ]),
    ),
  );
}

/** The oldest Claude Code the Agent SDK can run with fixloop's options (fail-closed hooks). */
export const OLDEST_CLAUDE_CODE = [2, 1, 326] as const;

/** The CLI check from its `--version` line: too old to run (or an unreadable version) fails. */
function versionCheck(cliPath: string, line: string): Check {
  const found = /(\d+)\.(\d+)\.(\d+)/.exec(line)?.slice(1).map(Number);
  const older = (v: number[]) => {
    for (const [i, oldest] of OLDEST_CLAUDE_CODE.entries())
      if (v[i] !== oldest) return (v[i] ?? 0) < oldest;
    return false;
  };
  if (found && !older(found)) return ok('Claude Code CLI', `${cliPath} ${line}`);
  return fail(
    'Claude Code CLI',
    `${cliPath} ${line || 'printed no version'}: fixloop needs Claude Code ` +
      `${OLDEST_CLAUDE_CODE.join('.')} or newer`,
    'update it (npm i -g @anthropic-ai/claude-code@latest, or "claude update"), ' +
      'or set CLAUDE_CLI_PATH',
  );
}
