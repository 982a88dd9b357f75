import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../automation/commands/exit-codes.js';
import { ConfigError } from '../../automation/config/errors.js';
import { loadConfig } from '../../automation/config/load.js';
import { envSchema } from '../../automation/config/schema.js';
import { tempDir } from '../support/tmp.js';

function problemsOf(env: Record<string, string>, cwd = tempDir()): string[] {
  try {
    loadConfig({ cwd, env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(exitCodeFor(error)).toBe(2);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills every default and resolves paths against the working directory', () => {
    const cwd = tempDir();
    const config = loadConfig({ cwd, env: {} });
    expect(config.projectRoot).toBe(cwd);
    expect(config.stateFile).toBe(join(cwd, 'state/app_state.json'));
    expect(config.lockFile).toBe(join(cwd, 'state/app_state.json.lock'));
    expect(config.logDir).toBe(join(cwd, 'logs'));
    expect(config.fix).toMatchObject({
      enabled: true,
      maxRetries: 5,
      retryMinDelayMs: 1000,
      retryMaxDelayMs: 30000,
      allowTestEdits: false,
    });
    expect(config.watch.debounceMs).toBe(200);
    expect(config.fix.quietMs).toBe(5000);
    expect(config.test).toMatchObject({ warm: true, warmMaxBytes: 1024 * 1024 * 1024 });
    expect(config.watch.maxBatchSize).toBe(10);
    expect(config.watch.extensions).toContain('.ts');
    expect(config.breaker).toEqual({ threshold: 3, windowMs: 3_600_000 });
    expect(config.daemon).toEqual({
      heartbeatMs: 30_000,
      healthCheckMs: 300_000,
      shutdownTimeoutMs: 30_000,
      statusPort: undefined,
    });
    expect(config.headless.provider).toBe('api');
    expect(config.anthropic.plannerModel).toBe(config.anthropic.fixerModel);
    expect(config.escalation.githubApiUrl).toBe('https://api.github.com');
  });

  it('accepts fractional seconds, lists and per-role models', () => {
    const config = loadConfig({
      cwd: tempDir(),
      env: {
        FILE_WATCH_DEBOUNCE_SECONDS: '0.2',
        WATCH_EXTENSIONS: '.ts, .py',
        WATCH_IGNORE: 'dist/**,*.gen.ts',
        CLAUDE_MODEL: 'm-main',
        FIXER_MODEL: 'm-fix',
        AUTO_FIX_ENABLED: 'false',
        STATUS_PORT: '0',
      },
    });
    expect(config.watch.debounceMs).toBe(200);
    expect(config.watch.extensions).toEqual(['.ts', '.py']);
    expect(config.watch.ignore).toEqual(['dist/**', '*.gen.ts']);
    expect(config.anthropic).toMatchObject({ plannerModel: 'm-main', fixerModel: 'm-fix' });
    expect(config.fix.enabled).toBe(false);
    expect(config.daemon.statusPort).toBe(0);
  });

  it('reads .env from the working directory, and real variables win over it', () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, '.env'),
      'MAX_RETRIES=7\nMAX_BATCH_SIZE=3\n# comment\nSTATE_FILE="custom/s.json"\n',
    );
    const config = loadConfig({ cwd, env: { MAX_BATCH_SIZE: '4' } });
    expect(config.fix.maxRetries).toBe(7);
    expect(config.watch.maxBatchSize).toBe(4);
    expect(config.stateFile).toBe(join(cwd, 'custom/s.json'));
    expect(config.lockFile).toBe(join(cwd, 'custom/s.json.lock'));
  });

  it("gives test runs the developer's environment: CI=true, colour variables untouched", () => {
    const cwd = tempDir();
    const config = loadConfig({
      cwd,
      env: { FORCE_COLOR: '1', ANTHROPIC_API_KEY: 'sk-ant-api03-testtesttest', HOME: cwd },
    });
    expect(config.childEnv).toMatchObject({ CI: 'true', FORCE_COLOR: '1', HOME: cwd });
    expect(config.childEnv).not.toHaveProperty('NO_COLOR');
    expect(config.childEnv).not.toHaveProperty('ANTHROPIC_API_KEY');
  });

  it('refuses a WORKTREE_DIR inside the project, at /, at home, or holding the project', () => {
    const home = tempDir('fixloop-home-');
    const root = join(home, 'code', 'app');
    mkdirSync(root, { recursive: true });
    for (const dir of [join(root, 'wt'), '/', home, join(home, 'code')]) {
      expect(() => loadConfig({ cwd: root, env: { HOME: home, WORKTREE_DIR: dir } })).toThrow(
        /WORKTREE_DIR=.*expected a folder of its own outside PROJECT_ROOT/,
      );
    }
    const fine = loadConfig({ cwd: root, env: { HOME: home, WORKTREE_DIR: join(home, 'wt') } });
    expect(fine.work.worktreeDir.startsWith(join(home, 'wt'))).toBe(true);
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ cwd: tempDir(), env: { GITHUB_TOKEN: '', MAX_RETRIES: ' ' } });
    expect(config.escalation.githubToken).toBeUndefined();
    expect(config.fix.maxRetries).toBe(5);
  });

  it('is deeply frozen', () => {
    const config = loadConfig({ cwd: tempDir(), env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.fix)).toBe(true);
    expect(Object.isFrozen(config.watch.extensions)).toBe(true);
  });

  it('reports every bad value at once, each naming its variable and the expected form', () => {
    const problems = problemsOf({
      MAX_RETRIES: 'five',
      FILE_WATCH_DEBOUNCE_SECONDS: '-1',
      HEADLESS_PROVIDER: 'gpt',
      AUTO_FIX_ENABLED: 'maybe',
      WATCH_EXTENSIONS: 'ts,.py',
      HEARTBEAT_INTERVAL_SECONDS: '0',
      RETRY_MIN_DELAY_MS: '5000',
      RETRY_MAX_DELAY_MS: '100',
      GITHUB_REPO: 'not a repo',
      STATUS_PORT: '70000',
      PROJECT_ROOT: '/definitely/not/here',
    });
    expect(problems).toHaveLength(10);
    const byVar = (name: string) => problems.find((p) => p.startsWith(name));
    expect(byVar('MAX_RETRIES')).toBe('MAX_RETRIES="five": expected a whole number from 0 to 100');
    const seconds = /"-1": expected a number of seconds from 0 to 60/;
    expect(byVar('FILE_WATCH_DEBOUNCE_SECONDS')).toMatch(seconds);
    expect(byVar('HEADLESS_PROVIDER')).toMatch(/expected one of: api, claude-code/);
    expect(byVar('AUTO_FIX_ENABLED')).toMatch(/expected true or false/);
    expect(byVar('WATCH_EXTENSIONS')).toMatch(/starting with a dot.*"ts"/);
    expect(byVar('HEARTBEAT_INTERVAL_SECONDS')).toMatch(/from 0.1 to 86400 \(1 day\)/);
    expect(byVar('RETRY_MAX_DELAY_MS')).toMatch(/≥ RETRY_MIN_DELAY_MS \(5000\)/);
    expect(byVar('GITHUB_REPO')).toMatch(/owner\/repo/);
    expect(byVar('STATUS_PORT')).toMatch(/port number/);
    expect(byVar('PROJECT_ROOT')).toMatch(/existing directory/);
  });

  it('checks the GitHub intake variables', () => {
    const problems = problemsOf({
      GITHUB_INTAKE_LABEL: 'fixloop',
      GITHUB_POLL_SECONDS: '0.5',
      GITHUB_MAX_ATTEMPTS: '0',
      GITHUB_INTAKE_TRUST: 'everyone',
      WORK_PUSH: 'sometimes',
    });
    expect(problems).toEqual([
      'GITHUB_POLL_SECONDS="0.5": expected a number of seconds from 1 to 86400 (1 day), e.g. 60',
      'GITHUB_MAX_ATTEMPTS="0": expected a whole number from 1 to 10',
      'GITHUB_INTAKE_TRUST="everyone": expected one of: collaborators, anyone',
      'WORK_PUSH="sometimes": expected true or false (also accepted: 1/0, yes/no, on/off)',
      'GITHUB_INTAKE_LABEL="fixloop": needs GITHUB_TOKEN and GITHUB_REPO: set them, or unset GITHUB_INTAKE_LABEL',
    ]);
    const config = loadConfig({ cwd: tempDir(), env: {} });
    expect(config.intake).toEqual({
      label: undefined,
      pollMs: 60_000,
      maxAttempts: 2,
      trust: 'collaborators',
    });
    expect(config.work.push).toBeUndefined();
  });

  it('bounds every duration: past what a timer holds, Node would fire at once', () => {
    const problems = problemsOf({
      TEST_TIMEOUT_SECONDS: '3000000',
      HEARTBEAT_INTERVAL_SECONDS: '0.0001',
      CIRCUIT_BREAKER_WINDOW: '99999999',
      RETRY_MAX_DELAY_MS: '9999999999',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^RETRY_MAX_DELAY_MS="9999999999": expected .* to 3600000/),
      expect.stringMatching(/^CIRCUIT_BREAKER_WINDOW="99999999": .* to 1728000 \(20 days\)/),
      expect.stringMatching(/^TEST_TIMEOUT_SECONDS="3000000": .* from 1 to 86400 \(1 day\)/),
      expect.stringMatching(/^HEARTBEAT_INTERVAL_SECONDS="0.0001": .* from 0.1 to 86400/),
    ]);
  });

  it('never echoes a secret value, even when it is the bad one', () => {
    const secret = 'hooks-very-secret-value-123';
    const problems = problemsOf({
      SLACK_WEBHOOK_URL: secret,
      EMAIL_WEBHOOK_URL: `ftp://${secret}`,
      GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    });
    const text = problems.join('\n');
    expect(text).toContain('SLACK_WEBHOOK_URL=(value hidden): expected an http:// or https:// URL');
    expect(text).toContain('EMAIL_WEBHOOK_URL=(value hidden)');
    expect(text).toContain('GITHUB_REPO is required');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('ghp_');
  });

  it('collects secret values for redaction', () => {
    const config = loadConfig({
      cwd: tempDir(),
      env: { ANTHROPIC_API_KEY: 'sk-ant-test-123456', OTHER_SECRET: 'hunter22', PATH: '/bin' },
    });
    expect(config.secrets).toEqual(expect.arrayContaining(['sk-ant-test-123456', 'hunter22']));
    expect(config.secrets).not.toContain('/bin');
  });
});

describe('.env.example', () => {
  it('lists every variable and loads cleanly as a .env file', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const names = [...text.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
    expect(new Set(names)).toEqual(new Set(Object.keys(envSchema.shape)));
    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), text);
    const fromExample = loadConfig({ cwd, env: {} });
    const defaults = loadConfig({ cwd: tempDir(), env: {} });
    expect({
      ...fromExample,
      cwd: '',
      projectRoot: '',
      stateFile: '',
      lockFile: '',
      logDir: '',
      cacheDir: '',
      work: { ...fromExample.work, worktreeDir: '' },
    }).toEqual({
      ...defaults,
      cwd: '',
      projectRoot: '',
      stateFile: '',
      lockFile: '',
      logDir: '',
      cacheDir: '',
      work: { ...defaults.work, worktreeDir: '' },
    });
  });
});
