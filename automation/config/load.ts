/**
 * loadConfig: the one place that reads the environment. Validates everything, reports all problems
 * at once.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { projectCacheDir } from './cache-dir.js';
import { type Config, toConfig } from './config.js';
import { type RawEnv, readEnvSource } from './env-source.js';
import { ConfigError } from './errors.js';
import { crossFieldProblems, envSchema, type ParsedEnv } from './schema.js';
import { isSecretName, urlCredentials } from './secrets.js';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Describes one bad variable without ever echoing a secret's value. */
function problemLine(name: string, raw: string | undefined, message: string): string {
  if (message.startsWith('is required')) return `${name} ${message}`;
  const shown =
    raw === undefined ? '(unset)' : isSecretName(name) ? '(value hidden)' : JSON.stringify(raw);
  return `${name}=${shown}: ${message}`;
}

/** fixloop's own credentials, kept out of the project's test processes. */
const OWN_SECRETS = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'GITHUB_TOKEN',
  'STATUS_TOKEN',
  'SLACK_WEBHOOK_URL',
  'EMAIL_WEBHOOK_URL',
  'QUEUE_URL',
];

/**
 * The environment test runs get: the real one (not `.env`), minus fixloop's secrets, and
 * non-interactive (`CI=true`). Colour variables are left as they are: tests that look at them
 * (NO_COLOR, FORCE_COLOR) behave as in the developer's own runs, and output is read without
 * colour codes whatever they say.
 */
function childEnvFrom(env: RawEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (v !== undefined && !OWN_SECRETS.includes(k)) out[k] = v;
  return { ...out, CI: 'true', PYTHONDONTWRITEBYTECODE: '1' };
}

/** Whether `dir` is neither `root` nor inside it. */
function outside(root: string, dir: string): boolean {
  const rel = relative(root, dir);
  return rel.startsWith('..') || isAbsolute(rel);
}

/**
 * Reads `.env` in `cwd` plus `env`, validates, resolves paths, and returns a deeply frozen Config.
 */
export function loadConfig(options: { cwd?: string; env?: RawEnv } = {}): Config {
  const cwd = resolve(options.cwd ?? process.cwd());
  const raw = readEnvSource(cwd, options.env ?? process.env);
  // Each variable is parsed on its own so that every bad one, and every broken rule between
  // the good ones, is reported in one go.
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const result = schema.safeParse(raw[name]);
    if (result.success) values[name] = result.data;
    else
      problems.push(
        ...result.error.issues.map((issue) => problemLine(name, raw[name], issue.message)),
      );
  }
  for (const { name, message } of crossFieldProblems(values as Partial<ParsedEnv>))
    problems.push(problemLine(name, raw[name], message));

  const projectRoot = resolve(cwd, raw.PROJECT_ROOT?.trim() || '.');
  const rootVar = `PROJECT_ROOT=${JSON.stringify(raw.PROJECT_ROOT ?? projectRoot)}`;
  try {
    if (!statSync(projectRoot).isDirectory())
      problems.push(`${rootVar}: expected a directory, but it is a file`);
  } catch {
    problems.push(`${rootVar}: expected an existing directory`);
  }
  const worktreeDir = raw.WORKTREE_DIR?.trim() ? resolve(cwd, raw.WORKTREE_DIR.trim()) : undefined;
  const homeDir = (options.env ?? process.env).HOME;
  const broad =
    worktreeDir &&
    (dirname(worktreeDir) === worktreeDir ||
      (homeDir && resolve(homeDir) === worktreeDir) ||
      !outside(worktreeDir, projectRoot));
  if (worktreeDir && (!outside(projectRoot, worktreeDir) || broad))
    problems.push(
      `WORKTREE_DIR=${JSON.stringify(raw.WORKTREE_DIR)}: expected a folder of its own outside ` +
        'PROJECT_ROOT, not / , your home folder or a folder holding the project (work orders ' +
        'never write into the project, and fixloop removes what it leaves there)',
    );
  if (problems.length > 0) throw new ConfigError(problems);

  const env = envSchema.parse(raw);
  const cacheDir = projectCacheDir(options.env ?? process.env, projectRoot);
  const stateFile = resolve(cwd, env.STATE_FILE ?? 'state/app_state.json');
  const paths = {
    cwd,
    projectRoot,
    stateFile,
    lockFile: env.LOCK_FILE ? resolve(cwd, env.LOCK_FILE) : `${stateFile}.lock`,
    logDir: resolve(cwd, env.LOG_DIR ?? 'logs'),
    cacheDir,
    // One folder per project, also in a WORKTREE_DIR shared by several projects.
    worktreeDir: worktreeDir ? join(worktreeDir, basename(cacheDir)) : join(cacheDir, 'worktrees'),
  };
  const secrets = Object.entries(raw)
    .filter(
      ([name, value]) =>
        isSecretName(name) &&
        name !== 'QUEUE_URL' &&
        typeof value === 'string' &&
        value.trim().length >= 4,
    )
    .map(([, value]) => (value as string).trim());
  // QUEUE_URL's secret is its password: the address is shown (without it) in messages.
  if (env.QUEUE_URL) secrets.push(...urlCredentials(env.QUEUE_URL));
  const realEnv = options.env ?? process.env;
  const home = realEnv.HOME ?? realEnv.USERPROFILE;
  const hasClaudeLogin = !!home && existsSync(join(home, '.claude', '.credentials.json'));
  return deepFreeze(toConfig(env, paths, secrets, childEnvFrom(realEnv), hasClaudeLogin));
}
