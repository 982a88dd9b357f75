/**
 * The zod schema of every configuration variable in CONTRACT.md §2, with defaults and expected
 * forms.
 */

import * as z from 'zod/mini';
import { DEFAULT_MODEL } from '../claude/models.js';
import '../validate.js';
import {
  boolean,
  list,
  number,
  oneOf,
  optionalBoolean,
  redisUrl,
  secondsAsMs,
  text,
  url,
} from './fields.js';

/** Source extensions watched when WATCH_EXTENSIONS is unset. */
export const DEFAULT_WATCH_EXTENSIONS = [
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.js',
  '.jsx',
  '.mjs',
  '.cjs',
  '.vue',
  '.svelte',
  '.py',
  '.go',
  '.rs',
  '.java',
  '.kt',
  '.rb',
  '.php',
  '.cs',
] as const;

const extension = (item: string) =>
  /^\.[A-Za-z0-9][\w.-]*$/.test(item)
    ? undefined
    : `expected extensions starting with a dot, e.g. .ts,.py (got "${item}")`;

/** One day in seconds: the longest wait most durations may be. */
const DAY = 86_400;
const HOUR_MS = 3_600_000;
const MS_EXPECTED = 'a whole number of milliseconds from 0 to 3600000 (1 hour)';

/** Raw environment → typed values (units as in the variable names, except seconds → ms). */
export const envSchema = z.object({
  PROJECT_ROOT: text(),
  STATE_FILE: text('state/app_state.json'),
  LOCK_FILE: text(),
  LOG_DIR: text('logs'),
  ANTHROPIC_API_KEY: text(),
  ANTHROPIC_BASE_URL: url(),
  CLAUDE_MODEL: text(DEFAULT_MODEL),
  PLANNER_MODEL: text(),
  FIXER_MODEL: text(),
  HEADLESS_PROVIDER: oneOf(['api', 'claude-code'], 'api'),
  CLAUDE_CLI_PATH: text('claude'),
  CLAUDE_CODE_OAUTH_TOKEN: text(),
  FIX_ATTEMPT_TIMEOUT_SECONDS: secondsAsMs(600, { min: 1, max: DAY }),
  AUTO_FIX_ENABLED: boolean(true),
  MAX_RETRIES: number(5, { min: 0, max: 100, int: true, expected: 'a whole number from 0 to 100' }),
  RETRY_MIN_DELAY_MS: number(1000, { min: 0, max: HOUR_MS, int: true, expected: MS_EXPECTED }),
  RETRY_MAX_DELAY_MS: number(30000, { min: 0, max: HOUR_MS, int: true, expected: MS_EXPECTED }),
  FILE_WATCH_DEBOUNCE_SECONDS: secondsAsMs(0.2, { min: 0, max: 60 }),
  FIX_QUIET_SECONDS: secondsAsMs(5, { min: 0, max: 3600 }),
  WATCH_EXTENSIONS: list(DEFAULT_WATCH_EXTENSIONS, extension),
  WATCH_IGNORE: list([]),
  MAX_BATCH_SIZE: number(10, {
    min: 1,
    max: 100_000,
    int: true,
    expected: 'a whole number from 1 to 100000',
  }),
  CIRCUIT_BREAKER_THRESHOLD: number(3, {
    min: 1,
    max: 1000,
    int: true,
    expected: 'a whole number from 1 to 1000',
  }),
  CIRCUIT_BREAKER_WINDOW: secondsAsMs(3600, { min: 1, max: 20 * DAY }),
  TEST_COMMAND: text(),
  TEST_TIMEOUT_SECONDS: secondsAsMs(300, { min: 1, max: DAY }),
  WARM_RUNNER: boolean(true),
  FLAKY_RERUNS: number(1, { min: 0, max: 5, int: true, expected: 'a whole number from 0 to 5' }),
  WARM_RUNNER_MAX_MB: number(1024, {
    min: 128,
    max: 65_536,
    int: true,
    expected: 'a whole number of MiB from 128 to 65536',
  }),
  FIX_ALLOW_TEST_EDITS: boolean(false),
  FIX_PROTECT: list([]),
  MAX_COST_USD_PER_HOUR: number(5, {
    min: 0,
    max: 100_000,
    expected: 'a number of US dollars from 0 to 100000, e.g. 5 or 0.5',
  }),
  HEARTBEAT_INTERVAL_SECONDS: secondsAsMs(30, { min: 0.1, max: DAY }),
  HEALTH_CHECK_INTERVAL_SECONDS: secondsAsMs(300, { min: 0.1, max: DAY }),
  SHUTDOWN_TIMEOUT_SECONDS: secondsAsMs(30, { min: 0, max: 3600 }),
  GITHUB_TOKEN: text(),
  GITHUB_REPO: text().check(
    z.refine((v) => v === undefined || /^[\w.-]+\/[\w.-]+$/.test(v), {
      message: 'expected owner/repo, e.g. acme/shop',
    }),
  ),
  GITHUB_API_URL: url('https://api.github.com'),
  GITHUB_INTAKE_LABEL: text().check(
    z.refine((v) => v === undefined || (v.length <= 50 && !v.includes(',')), {
      message: 'expected one GitHub label name (at most 50 characters, no commas), e.g. fixloop',
    }),
  ),
  // At least a second: an unchanged answer is free, but GitHub frowns on hammering.
  GITHUB_POLL_SECONDS: secondsAsMs(60, { min: 1, max: DAY }),
  GITHUB_MAX_ATTEMPTS: number(2, {
    min: 1,
    max: 10,
    int: true,
    expected: 'a whole number from 1 to 10',
  }),
  GITHUB_INTAKE_TRUST: oneOf(['collaborators', 'anyone'], 'collaborators'),
  SANDBOX: oneOf(['auto', 'required', 'off'], 'auto'),
  SANDBOX_NETWORK: oneOf(['deny', 'allow'], 'deny'),
  SLACK_WEBHOOK_URL: url(),
  EMAIL_WEBHOOK_URL: url(),
  ESCALATION_COOLDOWN_SECONDS: secondsAsMs(3600, { min: 0, max: 20 * DAY }),
  ESCALATION_CLOSE_ON_FIX: boolean(false),
  MAX_WORKERS: number(2, { min: 1, max: 64, int: true, expected: 'a whole number from 1 to 64' }),
  WORKTREE_DIR: text(),
  WORKTREE_SETUP: text(),
  // Unset: push orders from GitHub issues (their pull requests need the branch), not the others.
  WORK_PUSH: optionalBoolean(),
  WORK_PR_DRAFT: boolean(true),
  WORK_REQUIRE_TESTS: boolean(false),
  STATUS_TOKEN: text(),
  // The shared queue (CONTRACT.md §7): a Redis URL, which may carry a password (a secret).
  QUEUE_URL: redisUrl(),
  QUEUE_LOCK_SECONDS: secondsAsMs(30, { min: 1, max: 3600 }),
  STATUS_PORT: number(Number.NaN, {
    min: 0,
    max: 65535,
    int: true,
    expected: 'a port number from 0 to 65535',
  }),
});

export type ParsedEnv = z.output<typeof envSchema>;

/**
 * Rules between variables. They run on whatever values parsed, so they are reported together
 * with the per-variable problems instead of only after those are fixed.
 */
export function crossFieldProblems(
  env: Partial<ParsedEnv>,
): Array<{ name: keyof ParsedEnv; message: string }> {
  const out: Array<{ name: keyof ParsedEnv; message: string }> = [];
  if (
    env.RETRY_MIN_DELAY_MS !== undefined &&
    env.RETRY_MAX_DELAY_MS !== undefined &&
    env.RETRY_MIN_DELAY_MS > env.RETRY_MAX_DELAY_MS
  ) {
    out.push({
      name: 'RETRY_MAX_DELAY_MS',
      message: `expected a value ≥ RETRY_MIN_DELAY_MS (${env.RETRY_MIN_DELAY_MS})`,
    });
  }
  if (
    'GITHUB_TOKEN' in env &&
    'GITHUB_REPO' in env &&
    (env.GITHUB_TOKEN === undefined) !== (env.GITHUB_REPO === undefined)
  ) {
    const missing = env.GITHUB_TOKEN === undefined ? 'GITHUB_TOKEN' : 'GITHUB_REPO';
    out.push({
      name: missing,
      message:
        'is required when the other GitHub variable is set: ' +
        'GitHub escalation needs both GITHUB_TOKEN and GITHUB_REPO',
    });
  }
  if (env.GITHUB_INTAKE_LABEL !== undefined && 'GITHUB_TOKEN' in env && 'GITHUB_REPO' in env) {
    if (env.GITHUB_TOKEN === undefined && env.GITHUB_REPO === undefined)
      out.push({
        name: 'GITHUB_INTAKE_LABEL',
        message: 'needs GITHUB_TOKEN and GITHUB_REPO: set them, or unset GITHUB_INTAKE_LABEL',
      });
  }
  return out;
}
