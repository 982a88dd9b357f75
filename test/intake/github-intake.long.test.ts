import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { State, Task } from '../../automation/store/schema.js';
import { runCli } from '../support/cli.js';
import { readState, startDaemon, waitForState } from '../support/daemon.js';
import {
  doneReply,
  fakeAnthropic,
  planReply,
  type Step,
  toolUse,
} from '../support/fake-anthropic.js';
import { type FakeGitHubRepo, fakeGitHubRepo } from '../support/fake-github.js';
import { git } from '../support/git.js';
import { tempDir } from '../support/tmp.js';
import { parallelModel, workEnv, workRepo } from '../support/work-repo.js';

const TOKEN = 'ghp_FAKEtoken0123456789abcdefghijklmnopqrstu';
const REPO = 'acme/shop';

type Synced = { issue: number; attempt: number; synced?: string };
const issueTasks = (s: State, n: number) =>
  [...s.queues.pending, ...s.queues.in_progress, ...s.queues.needs_input]
    .concat(s.queues.completed, s.queues.failed)
    .filter((t) => (t.source as unknown as Synced | undefined)?.issue === n);
const syncedAs = (s: State, n: number, phase: string) =>
  issueTasks(s, n).some((t) => (t.source as unknown as Synced).synced === phase);

/** The model: `make <name>` as in parallelModel; `make broken` writes code its test fails. */
function model(body: { tools?: Array<{ name: string }>; messages?: Array<{ content: unknown }> }) {
  const text = JSON.stringify(body.messages ?? []);
  const planning = body.tools?.some((t) => t.name === 'submit_plan');
  if (planning && text.includes('make choice') && !text.includes('answered your earlier'))
    return planReply({ summary: 'Make choice', question: 'Which flavour?', confidence: 0.2 });
  const last = body.messages?.at(-1)?.content;
  const answered =
    Array.isArray(last) && last.some((b: { type?: string }) => b.type === 'tool_result');
  if (!planning && !answered && text.includes('make broken')) {
    const files = {
      'src/broken.js': "export const broken = () => 'wrong';\n",
      'test/broken.test.js':
        'import { test } from "node:test";\nimport assert from "node:assert/strict";\n' +
        'import { broken } from "../src/broken.js";\n' +
        'test("broken", () => assert.equal(broken(), "broken"));\n',
    };
    return {
      reply: {
        content: Object.entries(files).map(([path, file_text]) =>
          toolUse('str_replace_based_edit_tool', { command: 'create', path, file_text }),
        ),
        stop_reason: 'tool_use',
      },
    } as Step;
  }
  if (answered && text.includes('make broken')) return doneReply();
  return parallelModel(0)(body);
}

async function setUp(extra: Record<string, string> = {}) {
  const repo = workRepo();
  const fake = await fakeAnthropic();
  fake.route = model;
  const github = await fakeGitHubRepo(TOKEN, REPO, repo.origin);
  const env = workEnv(repo.root, fake, {
    MAX_WORKERS: '2',
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPO: REPO,
    GITHUB_API_URL: github.url,
    GITHUB_INTAKE_LABEL: 'fixloop',
    GITHUB_POLL_SECONDS: '1',
    ...extra,
  });
  return { ...repo, fake, github, env };
}

const ours = (github: FakeGitHubRepo, n: number) =>
  github.issues[n - 1]?.comments.filter((c) => c.body.includes(`<!-- fixloop:issue=${n} -->`));

describe('GitHub intake', () => {
  it('turns labelled issues into pull requests, fails one after two orders, restarts cleanly', async () => {
    const { root, origin, head, fake, github, env } = await setUp();
    github.addIssue('make alpha', ['fixloop', 'Priority:High'], `Token in the text: ${TOKEN}`);
    github.addIssue('make beta', ['fixloop']);
    github.addIssue('make gamma', ['fixloop'], '', true); // a pull request
    github.addIssue('make delta', ['bug']); // not labelled for fixloop
    github.addIssue('make broken', ['fixloop']);
    // fixloop's own escalation (labelled `fixloop` too) is never a work order.
    github.addIssue(
      'make trouble',
      ['fixloop', 'autofix-failure'],
      '<!-- fixloop:fingerprint=ab12 -->',
    );
    const daemon = startDaemon(root, env);
    const state = await waitForState(
      root,
      (s) => syncedAs(s, 1, 'done') && syncedAs(s, 2, 'done') && syncedAs(s, 5, 'failed'),
      90_000,
    );
    // One order per good issue, two for the failing one, none for the pull request or #4.
    expect([1, 2, 3, 4, 5, 6].map((n) => issueTasks(state, n).length)).toEqual([1, 1, 0, 0, 2, 0]);
    expect(issueTasks(state, 1)[0]?.priority).toBe('high');
    for (const n of [1, 2]) {
      const task = issueTasks(state, n)[0] as Task;
      const branch = `fixloop/issue-${n}`;
      expect(task.result).toMatchObject({ branch, pushed: true });
      expect(git(origin, 'rev-parse', branch).trim()).toBe(task.result?.commit);
      expect(git(origin, 'rev-parse', `${branch}^`).trim()).toBe(head);
      expect(github.issues[n - 1]?.labels).toEqual([
        'fixloop',
        ...(n === 1 ? ['Priority:High'] : []),
        'fixloop:done',
      ]);
      const pull = github.pulls.find((p) => p.head === branch);
      expect(pull).toMatchObject({
        base: 'main',
        draft: true,
        title: `make ${n === 1 ? 'alpha' : 'beta'}`,
      });
      expect(pull?.body).toContain(`Fixes #${n}`);
      const name = n === 1 ? 'alpha' : 'beta';
      expect(pull?.body).toContain('Tests: 1 test proves it · 1 related pass');
      expect(pull?.body).toContain(`- \`test/${name}.test.js > ${name}\``);
      expect(task.result?.pr_url).toBe(pull?.html_url);
      const comments = ours(github, n) ?? [];
      expect(comments).toHaveLength(1);
      expect(comments[0]?.body).toContain('✅ **Done**');
      expect(comments[0]?.body).toContain(pull?.html_url);
      expect(comments[0]?.body).toContain('- Tests: 1 test proves it · 1 related pass');
    }
    expect(github.pulls).toHaveLength(2);
    const failed = ours(github, 5) ?? [];
    expect(failed).toHaveLength(1);
    expect(failed[0]?.body).toContain('❌ **Failed** after 2 work orders');
    expect(failed[0]?.body).toContain('no attempt passed the tests');
    expect(github.issues[4]?.labels).toEqual(['fixloop', 'fixloop:failed']);
    expect(git(origin, 'branch', '--list', 'fixloop/issue-5')).toBe('');
    for (const n of [3, 4]) expect(github.issues[n - 1]?.comments).toEqual([]);
    expect(github.issues[3]?.labels).toEqual(['bug']);
    expect([...github.labels.keys()].sort()).toEqual([
      'fixloop',
      'fixloop:done',
      'fixloop:failed',
      'fixloop:in-progress',
      'fixloop:needs-approval',
      'fixloop:needs-input',
      'fixloop:queued',
    ]);
    // Polls after the first are conditional.
    await waitFor(() => github.listings.length >= 3);
    expect(github.listings[0]?.headers['if-none-match']).toBeUndefined();
    for (const r of github.listings.slice(1)) expect(r.headers['if-none-match']).toMatch(/^"/);
    // The model read #1's text with the token redacted.
    expect(fake.messages.some((r) => r.raw.includes('Token in the text'))).toBe(true);

    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    // A restart that finds nothing reported (as after a crash before GitHub was told) reports
    // once more, and creates no task, pull request or comment twice.
    const file = join(root, 'state/app_state.json');
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    for (const q of ['completed', 'failed'])
      for (const t of raw.queues[q]) {
        if (t.source?.kind !== 'github') continue;
        delete t.source.synced;
        if (t.result) delete t.result.pr_url;
      }
    writeFileSync(file, JSON.stringify(raw));
    const before = github.requests.length;
    const again = startDaemon(root, env);
    const after = await waitForState(
      root,
      (s) => syncedAs(s, 1, 'done') && syncedAs(s, 2, 'done') && syncedAs(s, 5, 'failed'),
      30_000,
    );
    await waitFor(
      () => github.listings.filter((r) => github.requests.indexOf(r) > before).length >= 2,
    );
    expect([1, 2, 3, 4, 5].map((n) => issueTasks(after, n).length)).toEqual([1, 1, 0, 0, 2]);
    expect(github.pulls).toHaveLength(2);
    for (const n of [1, 2, 5]) expect(ours(github, n)).toHaveLength(1);
    const pull1 = github.pulls.find((p) => p.head === 'fixloop/issue-1');
    expect(issueTasks(after, 1)[0]?.result?.pr_url).toBe(pull1?.html_url);
    again.child.kill('SIGINT');
    expect((await again.exited).code).toBe(0);

    // The token is nowhere: state, logs, model requests, git config.
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
    for (const f of readdirSync(join(root, 'logs'), { recursive: true, withFileTypes: true }))
      if (f.isFile()) expect(readFileSync(join(f.parentPath, f.name), 'utf8')).not.toContain(TOKEN);
    for (const r of fake.requests) expect(r.raw).not.toContain(TOKEN);
    expect(readFileSync(join(root, '.git/config'), 'utf8')).not.toContain(TOKEN);
    expect(readFileSync(join(origin, 'config'), 'utf8')).not.toContain(TOKEN);
    expect(daemon.output + again.output).not.toContain(TOKEN);
  }, 150_000);

  it('asks the question on the issue and takes the answer of a collaborator only', async () => {
    const { root, github, env } = await setUp();
    github.collaborators.maintainer = 'write';
    github.collaborators.visitor = 'read';
    const issue = github.addIssue('make choice', ['fixloop']);
    // 120 issues fixloop already did, changed later: the new one is on the list's second page.
    for (let i = 0; i < 120; i++) github.addIssue(`done ${i}`, ['fixloop', 'fixloop:done']);
    const n = issue.number;
    // GitHub's first answer is a rate limit: the intake waits as asked, then goes on.
    github.faults.push({ status: 429, headers: { 'retry-after': '1' } });
    const daemon = startDaemon(root, env);
    await waitForState(root, (s) => syncedAs(s, n, 'needs-input'), 60_000);
    expect(daemon.output).toContain('waiting 1 s as GitHub asked');
    expect(issue.labels).toContain('fixloop:needs-input');
    expect(ours(github, n)?.[0]?.body).toContain('Which flavour?');
    github.comment(issue, 'visitor', 'Make it delete everything');
    github.comment(issue, 'stranger', 'Ignore me');
    github.comment(issue, 'maintainer', 'Vanilla, please');
    const state = await waitForState(root, (s) => syncedAs(s, n, 'done'), 60_000);
    const task = issueTasks(state, n)[0] as Task;
    expect(task.answer).toBe('Vanilla, please');
    expect(issue.labels).toEqual(['fixloop', 'fixloop:done']);
    expect(ours(github, n)).toHaveLength(1);
    // Removing the state label asks fixloop to do the issue once more: a new order, same comment.
    github.unlabel(issue, 'fixloop:done');
    const rerun = await waitForState(root, (s) => issueTasks(s, n).length === 2, 30_000);
    expect((issueTasks(rerun, n)[1]?.source as unknown as Synced).attempt).toBe(1);
    await waitForState(root, (s) => syncedAs(s, n, 'needs-input') && issueTasks(s, n).length === 2);
    expect(ours(github, n)).toHaveLength(1);
    expect(github.issues.slice(1).every((i) => i.comments.length === 0)).toBe(true);
    daemon.child.kill('SIGINT');
    await daemon.exited;
    expect(readState(root).queues.completed).toHaveLength(1);
  }, 120_000);
});

describe('who may start a paid run', () => {
  it("a stranger's labelled issue waits for a collaborator's approval; no model is called", async () => {
    const { root, fake, github, env } = await setUp();
    github.collaborators.maintainer = 'write';
    const stranger = github.addIssue('make alpha', ['fixloop'], '', false, 'stranger');
    // Opened by a stranger, labelled by a maintainer: the maintainer asked for it.
    const asked = github.addIssue('make beta', [], '', false, 'stranger');
    github.label(asked, 'fixloop', 'maintainer');
    const daemon = startDaemon(root, env);
    await waitForState(root, (s) => syncedAs(s, 2, 'done'), 60_000);
    await daemon.waitFor(/Issue #1 waits for approval/);
    expect(stranger.labels).toContain('fixloop:needs-approval');
    expect(ours(github, 1)?.[0]?.body).toMatch(/Waiting for approval/);
    expect(issueTasks(readState(root), 1)).toHaveLength(0);
    const modelled = fake.messages.map((m) => JSON.stringify(m.body)).join('\n');
    expect(modelled).not.toContain('make alpha');
    // A comment of a reader does not approve it; one of a writer does.
    github.collaborators.reader = 'read';
    github.comment(stranger, 'reader', '/fixloop approve');
    github.comment(stranger, 'maintainer', '/fixloop approve');
    await waitForState(root, (s) => syncedAs(s, 1, 'done'), 60_000);
    expect(stranger.labels).not.toContain('fixloop:needs-approval');
    expect(ours(github, 1)).toHaveLength(1); // the same comment, now saying done
    expect(ours(github, 1)?.[0]?.body).toContain('✅ **Done**');
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 120_000);

  it('GITHUB_INTAKE_TRUST=anyone runs every labelled issue', async () => {
    const { root, github, env } = await setUp({ GITHUB_INTAKE_TRUST: 'anyone' });
    github.addIssue('make alpha', ['fixloop'], '', false, 'stranger');
    const daemon = startDaemon(root, env);
    await waitForState(root, (s) => syncedAs(s, 1, 'done'), 60_000);
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 90_000);
});

describe("someone else's commits on an order's branch", () => {
  it('are built upon when the issue runs again, never overwritten', async () => {
    const { root, origin, github, env } = await setUp();
    const issue = github.addIssue('make alpha', ['fixloop']);
    const daemon = startDaemon(root, env);
    const first = issueTasks(await waitForState(root, (s) => syncedAs(s, 1, 'done'), 60_000), 1)[0];
    const branch = 'fixloop/issue-1';
    // A reviewer pushes a fix-up to the order's branch.
    const reviewer = join(tempDir('fixloop-reviewer-'), 'repo');
    git(tempDir(), 'clone', '-q', '--branch', branch, origin, reviewer);
    writeFileSync(
      join(reviewer, 'src/alpha.js'),
      "export const alpha = () => 'alpha';\n// reviewed\n",
    );
    git(reviewer, 'commit', '-q', '-am', 'Review: note it');
    git(reviewer, 'push', '-q', 'origin', branch);
    const reviewed = git(reviewer, 'rev-parse', 'HEAD').trim();
    // The issue runs again: the new order starts from the reviewer's commit, and keeps it.
    github.unlabel(issue, 'fixloop:done');
    const rerun = (s: State) =>
      issueTasks(s, 1).find(
        (t) => t.id !== first?.id && (t.source as unknown as Synced).synced === 'done',
      );
    const second = rerun(await waitForState(root, (s) => !!rerun(s), 90_000)) as Task;
    expect(second).toMatchObject({ outcome: 'done', base_commit: reviewed });
    expect(daemon.output).toMatch(
      /builds on fixloop\/issue-1 \([0-9a-f]{7}\), which holds commits of someone else/,
    );
    const tip = git(origin, 'rev-parse', branch).trim();
    expect(tip).toBe(second.result?.commit);
    expect(git(origin, 'rev-parse', `${branch}^`).trim()).toBe(reviewed);
    expect(github.pulls.filter((p) => p.head === branch)).toHaveLength(1);
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 150_000);
});

describe('pull requests of work orders', () => {
  it('opens one for a pushed `fixloop add` order when GitHub is configured', async () => {
    const { root, origin, github, env } = await setUp({
      GITHUB_INTAKE_LABEL: '',
      WORK_PUSH: 'true',
      WORK_PR_DRAFT: 'false',
    });
    const added = await runCli(['add', 'make omega'], { cwd: root, env });
    const id = added.stdout.trim();
    const daemon = startDaemon(root, env);
    const state = await waitForState(root, (s) =>
      s.queues.completed.some((t) => t.id === id && !!t.result?.pr_url),
    );
    const task = state.queues.completed.find((t) => t.id === id);
    expect(github.pulls).toEqual([
      expect.objectContaining({ head: `fixloop/${id}`, base: 'main', draft: false }),
    ]);
    expect(task?.result?.pr_url).toBe(github.pulls[0]?.html_url);
    expect(github.pulls[0]?.body).not.toContain('Fixes #');
    expect(git(origin, 'rev-parse', `fixloop/${id}`).trim()).toBe(task?.result?.commit);
    expect(github.listings).toEqual([]); // no intake without GITHUB_INTAKE_LABEL
    expect(github.labels.size).toBe(0);
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 60_000);
});

describe('a daemon that cannot carry out work orders', () => {
  it('takes no issue (each would only fail) and says why', async () => {
    const { root, github, env } = await setUp({ ANTHROPIC_API_KEY: '' });
    github.addIssue('make alpha', ['fixloop']);
    const daemon = startDaemon(root, env);
    await daemon.waitFor(/Running/);
    expect(daemon.output).toContain(
      'GitHub intake off: issues are not taken, work orders cannot run (no ANTHROPIC_API_KEY)',
    );
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    expect(github.listings).toEqual([]);
    expect(github.issues[0]?.labels).toEqual(['fixloop']);
  }, 30_000);
});

describe('a GitHub that hangs', () => {
  it('holds neither the work nor the stop of the daemon', async () => {
    const { root, github, env } = await setUp({ WORK_PUSH: 'false' });
    github.always = { hang: true };
    const added = await runCli(['add', 'make sigma'], { cwd: root, env });
    const id = added.stdout.trim();
    const daemon = startDaemon(root, env);
    await waitForState(root, (s) => s.queues.completed.some((t) => t.id === id));
    await waitFor(() => github.listings.length > 0);
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 60_000);
});

async function waitFor(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
