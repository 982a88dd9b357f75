import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { doneReply, fakeAnthropic, planReply, toolUse } from '../support/fake-anthropic.js';
import { git } from '../support/git.js';
import { tempDir } from '../support/tmp.js';
import {
  add,
  finished,
  SLUG_BAD,
  SLUG_OK,
  SLUG_TEST,
  taskIn,
  treeHashes,
  workEnv,
  workPlan,
  workRepo,
  worktreeOf,
  writesFiles,
} from '../support/work-repo.js';

const CLAUDE = fileURLToPath(new URL('../../node_modules/.bin/claude', import.meta.url));

describe('work orders', () => {
  it('creates a module and its test on fixloop/<id>, never touching the working tree', async () => {
    const { root, head, origin } = workRepo();
    // An uncommitted edit of the developer's, which must survive byte for byte.
    writeFileSync(join(root, 'src/math.js'), 'export const add = (a, b) => a + b; // wip\n');
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake, { WORK_PUSH: 'true' });
    const id = await add(root, env, 'add a slug helper', '--file', 'src/slug.js');
    fake.push(
      workPlan('Add a slug helper', ['src/slug.js', 'test/slug.test.js']),
      ...writesFiles({ 'src/slug.js': SLUG_OK, 'test/slug.test.js': SLUG_TEST }),
    );
    const before = treeHashes(root);
    const daemon = startDaemon(root, env);
    const state = await waitForState(root, finished(id), 60_000);
    const task = taskIn(state, id);
    expect(task?.error ?? null).toBeNull();
    expect(task).toMatchObject({ type: 'work', outcome: 'done', base_commit: head });
    const branch = `fixloop/${id}`;
    expect(task?.result).toMatchObject({ branch, files: ['src/slug.js', 'test/slug.test.js'] });
    const commit = git(root, 'rev-parse', branch).trim();
    expect(task?.result?.commit).toBe(commit);
    expect(git(root, 'rev-parse', `${branch}^`).trim()).toBe(head);
    expect(git(root, 'log', '-1', '--format=%an <%ae>%n%B', branch)).toBe(
      `Repo Owner <owner@example.test>\nAdd a slug helper\n\nTask: ${id}\n\n`,
    );
    expect(git(root, 'show', `${branch}:src/slug.js`)).toBe(SLUG_OK);
    // Pushed to origin; no credentials or config written.
    expect(git(origin, 'rev-parse', branch).trim()).toBe(commit);
    // The developer's checkout: same files, index, HEAD and branch; no worktree left registered.
    expect(treeHashes(root)).toEqual(before);
    expect(git(root, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/main');
    expect(git(root, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(existsSync(join(root, 'src/slug.js'))).toBe(false);

    const status = JSON.parse((await runCli(['status', '--json'], { cwd: root, env })).stdout);
    expect(status.work_orders).toMatchObject({ completed: 1, pending: 0 });
    expect(status.saves).toMatchObject({ completed: 0 });
    expect(status.recent[0]).toMatchObject({ id, outcome: 'done', branch });
    const list = (await runCli(['tasks'], { cwd: root, env })).stdout;
    expect(list).toContain(`add a slug helper → ${branch}`);

    // apply: refused over the developer's own change to a file it touches, then brought in.
    writeFileSync(join(root, 'src/slug.js'), '// mine\n');
    const refused = await runCli(['apply', id], { cwd: root, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('src/slug.js');
    expect(readFileSync(join(root, 'src/slug.js'), 'utf8')).toBe('// mine\n');
    git(root, 'clean', '-fq', 'src/slug.js');
    const applied = await runCli(['apply', id], { cwd: root, env });
    expect(applied.code).toBe(0);
    expect(readFileSync(join(root, 'src/slug.js'), 'utf8')).toBe(SLUG_OK);
    expect(readFileSync(join(root, 'test/slug.test.js'), 'utf8')).toBe(SLUG_TEST);
    expect(git(root, 'diff', '--cached', '--name-only')).toBe(''); // the index is untouched
    expect(readFileSync(join(root, 'src/math.js'), 'utf8')).toContain('// wip');
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 90_000);

  it('rolls a wrong first attempt back inside the worktree and keeps the second', async () => {
    const { root, head } = workRepo();
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake, { MAX_RETRIES: '1' });
    const id = await add(root, env, 'add a slug helper');
    fake.push(
      workPlan('Add a slug helper', ['src/slug.js']),
      ...writesFiles({ 'src/slug.js': SLUG_BAD, 'test/slug.test.js': SLUG_TEST }),
      ...writesFiles({ 'src/slug.js': SLUG_OK, 'test/slug.test.js': SLUG_TEST }),
    );
    const daemon = startDaemon(root, env);
    const task = taskIn(await waitForState(root, finished(id), 60_000), id);
    expect(task?.outcome).toBe('done');
    expect(task?.attempts.map((a) => a.outcome)).toEqual(['rolled_back', 'passed']);
    expect(git(root, 'show', `fixloop/${id}:src/slug.js`)).toBe(SLUG_OK);
    expect(git(root, 'rev-parse', `fixloop/${id}^`).trim()).toBe(head);
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 90_000);

  it('refuses outside a git repository, and fails at once without a model', async () => {
    const plain = tempDir('fixloop-nogit-');
    writeFileSync(join(plain, 'package.json'), '{"scripts":{"test":"node --test"}}\n');
    const refused = await runCli(['add', 'anything'], { cwd: plain });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not in a git repository.*git init/);

    const { root } = workRepo();
    const id = (await runCli(['add', 'add a slug helper'], { cwd: root })).stdout.trim();
    const daemon = startDaemon(root, {});
    const task = taskIn(await waitForState(root, finished(id)), id);
    expect(task?.outcome).toBe('failed');
    expect(task?.error).toMatch(/work orders need a model \(no ANTHROPIC_API_KEY\)/);
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 60_000);

  it("--split queues the planner's parts as children; the parent holds them all", async () => {
    const { root, head } = workRepo();
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake);
    const id = await add(root, env, 'add slug and pad helpers', '--split');
    const PAD = 'export const pad = (s, n) => String(s).padStart(n, "0");\n';
    const PAD_TEST =
      'import { test } from "node:test";\nimport assert from "node:assert/strict";\n' +
      'import { pad } from "../src/pad.js";\ntest("pad", () => assert.equal(pad(7, 3), "007"));\n';
    fake.push(
      planReply({
        summary: 'Two helpers',
        parts: [
          { description: 'add a slug helper', files: ['src/slug.js'] },
          { description: 'add a pad helper', files: ['src/pad.js'], after: [0] },
        ],
      } as Parameters<typeof planReply>[0]),
      workPlan('Add a slug helper', ['src/slug.js']),
      ...writesFiles({ 'src/slug.js': SLUG_OK, 'test/slug.test.js': SLUG_TEST }),
      workPlan('Add a pad helper', ['src/pad.js']),
      ...writesFiles({ 'src/pad.js': PAD, 'test/pad.test.js': PAD_TEST }),
    );
    const daemon = startDaemon(root, env);
    const state = await waitForState(root, finished(id), 90_000);
    const parent = taskIn(state, id);
    expect(parent?.outcome).toBe('done');
    const children = state.queues.completed.filter((t) => t.parent_id === id);
    expect(children.map((c) => c.description)).toEqual(['add a slug helper', 'add a pad helper']);
    expect(children[1]?.after).toEqual([children[0]?.id]);
    expect(parent?.base_commit).toBe(head);
    const branch = `fixloop/${id}`;
    expect(git(root, 'show', `${branch}:src/slug.js`)).toBe(SLUG_OK);
    expect(git(root, 'show', `${branch}:src/pad.js`)).toBe(PAD);
    expect(parent?.result?.files).toEqual([
      'src/slug.js',
      'test/slug.test.js',
      'src/pad.js',
      'test/pad.test.js',
    ]);
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 120_000);

  it('is carried out the same through the claude-code provider (the real CLI)', async () => {
    const { root, head } = workRepo();
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake, {
      HEADLESS_PROVIDER: 'claude-code',
      CLAUDE_CLI_PATH: CLAUDE,
      HOME: tempDir('fixloop-home-'),
    });
    const id = await add(root, env, 'add a slug helper');
    const tree = worktreeOf(root, env, id);
    const write = (path: string, content: string) =>
      toolUse('Write', { file_path: join(tree, path), content });
    fake.push(
      workPlan('Add a slug helper', ['src/slug.js']),
      { reply: { content: [write('src/slug.js', SLUG_OK)], stop_reason: 'tool_use' } },
      { reply: { content: [write('test/slug.test.js', SLUG_TEST)], stop_reason: 'tool_use' } },
      doneReply(),
    );
    const daemon = startDaemon(root, env);
    const task = taskIn(await waitForState(root, finished(id), 90_000), id);
    expect(task?.error ?? null).toBeNull();
    expect(task?.outcome).toBe('done');
    expect(git(root, 'show', `fixloop/${id}:src/slug.js`)).toBe(SLUG_OK);
    expect(git(root, 'rev-parse', `fixloop/${id}^`).trim()).toBe(head);
    expect(existsSync(join(root, 'src/slug.js'))).toBe(false);
    // Its transcript names Claude Code's tool calls by path, relative to the worktree.
    const log = JSON.parse((await runCli(['logs', id, '--json'], { cwd: root, env })).stdout);
    const turns = log.entries.filter((e: { kind: string }) => e.kind === 'turn');
    expect(turns.flatMap((t: { tools: unknown[] }) => t.tools)).toEqual([
      { tool: 'Write', path: 'src/slug.js' },
      { tool: 'Write', path: 'test/slug.test.js' },
    ]);
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 120_000);
});
