import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { fakeAnthropic } from '../support/fake-anthropic.js';
import { fakeGitHubRepo } from '../support/fake-github.js';
import { fakeChannels } from '../support/fake-http.js';
import { TEST_KEY } from '../support/fix-harness.js';
import { makeProject } from '../support/project.js';
import { pathWithoutSandbox } from '../support/sandbox.js';
import { tempDir } from '../support/tmp.js';
import { workRepo } from '../support/work-repo.js';

describe('fixloop doctor', () => {
  const healthyProject =
    'passes on a healthy project, ' +
    'reaches the API through ANTHROPIC_BASE_URL, and sends escalation tests';
  it(healthyProject, async () => {
    const cwd = makeProject('vitest-project');
    const api = await fakeAnthropic();
    const ch = await fakeChannels();
    const env = {
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: api.url,
      SLACK_WEBHOOK_URL: `${ch.slack.url}/s`,
      GITHUB_TOKEN: 'ghp_x',
      GITHUB_REPO: 'acme/shop',
      GITHUB_API_URL: ch.github.url,
      EMAIL_WEBHOOK_URL: `${ch.email.url}/m`,
    };
    const run = await runCli(['doctor', '--escalation-test', '--json'], { cwd, env });
    const report = JSON.parse(run.stdout);
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    const byName = Object.fromEntries(
      report.checks.map((c: { name: string; status: string }) => [c.name, c.status]),
    );
    expect(byName).toMatchObject({
      configuration: 'ok',
      'test runner': 'ok',
      'state file': 'ok',
      'Anthropic API': 'ok',
      'escalation: slack': 'ok',
      'escalation: github': 'ok',
      'escalation: email': 'ok',
    });
    expect(api.requests.some((r) => r.path === '/v1/models')).toBe(true);
    expect(ch.slack.requests).toHaveLength(1);
    expect(ch.github.issues[0]?.title).toBe('fixloop escalation test');
    expect(ch.email.requests[0]?.body).toMatchObject({ kind: 'test', level: 'info' });
    // status lists the escalation and its delivery
    const status = await runCli(['status'], { cwd });
    const escalated = /escalated fixloop escalation test — slack ✓, github ✓, email ✓/;
    expect(status.stdout).toMatch(escalated);
  }, 60_000);

  it('fails (exit 1) naming each problem and its fix', async () => {
    const cwd = tempDir();
    const run = await runCli(['doctor'], {
      cwd,
      env: {
        ANTHROPIC_API_KEY: TEST_KEY,
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
        MAX_RETRIES: 'x',
      },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ configuration +MAX_RETRIES="x": expected a whole number/);
    const noRunner = await runCli(['doctor'], {
      cwd,
      env: { ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' },
    });
    expect(noRunner.code).toBe(1);
    expect(noRunner.stdout).toMatch(/✗ test runner +none detected\n +fix: set TEST_COMMAND/);
    expect(noRunner.stdout).toMatch(/✗ Anthropic API +not reachable: connection failed/);
    expect(noRunner.stdout).not.toContain(TEST_KEY);
    // Without a key: its own words are shown, never taken for a secret.
    const noKey = await runCli(['doctor'], { cwd, env: {} });
    expect(noKey.stdout).toMatch(/no ANTHROPIC_API_KEY: observe-only/);
    expect(noKey.stdout).not.toContain('[redacted]');
  }, 60_000);

  it('names the sandbox, or says there is none and how to install one', async () => {
    const cwd = makeProject('vitest-project');
    const sandbox = async (env: Record<string, string>) => {
      const run = await runCli(['doctor', '--json'], { cwd, env });
      const checks: Array<{ name: string; status: string; detail: string; fix?: string }> =
        JSON.parse(run.stdout).checks;
      return { code: run.code, check: checks.find((c) => c.name === 'sandbox') };
    };
    expect((await sandbox({})).check).toMatchObject({
      status: 'ok',
      detail: 'bubblewrap for tests, WORKTREE_SETUP and Claude Code (no network but loopback)',
    });
    // No bwrap on PATH (git and node are enough for the other checks).
    const bin = pathWithoutSandbox();
    const auto = await sandbox({ PATH: bin });
    expect(auto.check).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/^no sandbox: bubblewrap is not installed/),
      fix: expect.stringMatching(/sudo apt-get install bubblewrap/),
    });
    const required = await sandbox({ PATH: bin, SANDBOX: 'required' });
    expect(required.code).toBe(1);
    expect(required.check).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/SANDBOX=auto/),
    });
    expect((await sandbox({ SANDBOX: 'off' })).check?.status).toBe('skip');
  }, 60_000);

  it('checks the GitHub intake: token access, the label, origin', async () => {
    const { root, origin } = workRepo();
    const api = await fakeAnthropic();
    const token = 'ghp_doctorTOKEN0123456789';
    const github = await fakeGitHubRepo(token, 'acme/shop', origin);
    const env = {
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: api.url,
      GITHUB_TOKEN: token,
      GITHUB_REPO: 'acme/shop',
      GITHUB_API_URL: github.url,
      GITHUB_INTAKE_LABEL: 'fixloop',
    };
    const statuses = async (extra: Record<string, string> = {}) => {
      const run = await runCli(['doctor', '--json'], { cwd: root, env: { ...env, ...extra } });
      expect(run.stdout).not.toContain(token);
      const checks: Array<{ name: string; status: string; detail: string }> = JSON.parse(
        run.stdout,
      ).checks;
      return Object.fromEntries(checks.map((c) => [c.name, `${c.status}: ${c.detail}`]));
    };
    expect(await statuses()).toMatchObject({
      'GitHub token': 'ok: may push to acme/shop (scopes: repo)',
      'GitHub intake label': 'warn: "fixloop" does not exist in acme/shop yet',
      'git origin': expect.stringMatching(/^ok: reachable/),
    });
    github.labels.set('fixloop', { name: 'fixloop', color: '1d76db' });
    const wrong = await statuses({ GITHUB_TOKEN: 'ghp_wrongTOKEN0123456789' });
    expect(wrong['GitHub token']).toMatch(/^fail: GitHub answered HTTP 401/);
    expect((await statuses())['GitHub intake label']).toBe('ok: "fixloop" exists in acme/shop');
    const off = await statuses({ GITHUB_INTAKE_LABEL: '' });
    expect(off['GitHub intake']).toMatch(/^skip: off/);
  }, 60_000);
});
