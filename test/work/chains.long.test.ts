/**
 * Work-order scenarios of several orders or daemons (a long scenario each: `npm run test:long`):
 * a chain built --after its parent and applied whole, and an order whose daemon was killed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { editReply, fakeAnthropic } from '../support/fake-anthropic.js';
import { git } from '../support/git.js';
import {
  add,
  ended,
  finished,
  SLUG_OK,
  SLUG_TEST,
  taskIn,
  workEnv,
  workPlan,
  workRepo,
  worktreeOf,
  writesFiles,
} from '../support/work-repo.js';

describe('work-order chains and restarts', () => {
  it('builds --after on the parent commit, and fails a child whose parent failed', async () => {
    const { root } = workRepo();
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake);
    const first = await add(root, env, 'add a slug helper');
    const second = await add(root, env, 'slug keeps digits', '--after', first);
    const broken = await add(root, env, 'break things', '--priority', 'low');
    const orphan = await add(
      root,
      env,
      'build on the broken one',
      '--after',
      broken,
      '--priority',
      'low',
    );
    const unknown = await runCli(['add', 'x', '--after', 'task_00000000'], { cwd: root, env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('task_00000000');
    fake.push(
      workPlan('Add a slug helper', ['src/slug.js']),
      ...writesFiles({ 'src/slug.js': SLUG_OK, 'test/slug.test.js': SLUG_TEST }),
      workPlan('Keep digits', ['src/slug.js']),
      editReply({
        command: 'str_replace',
        path: 'src/slug.js',
        old_str: '\\s+',
        new_str: '[\\s_]+',
      }),
      { reply: { content: [{ type: 'text', text: 'Done.' }], stop_reason: 'end_turn' } },
      workPlan('Break', ['src/math.js']),
      editReply({
        command: 'str_replace',
        path: 'src/math.js',
        old_str: 'a + b',
        new_str: 'a - b',
      }),
      { reply: { content: [{ type: 'text', text: 'Done.' }], stop_reason: 'end_turn' } },
    );
    const daemon = startDaemon(root, env);
    const state = await waitForState(
      root,
      (s) => [second, orphan].every((id) => finished(id)(s)),
      90_000,
    );
    const a = taskIn(state, first);
    const b = taskIn(state, second);
    expect(b?.outcome).toBe('done');
    expect(b?.base_commit).toBe(a?.result?.commit);
    expect(git(root, 'rev-parse', `fixloop/${second}^`).trim()).toBe(a?.result?.commit);
    expect(git(root, 'show', `fixloop/${second}:src/slug.js`)).toContain('[\\s_]+');
    expect(taskIn(state, broken)?.outcome).toBe('failed');
    const o = taskIn(state, orphan);
    expect(o?.outcome).toBe('failed');
    expect(o?.error).toContain(broken);
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 120_000);

  it('after a SIGKILL mid-order, runs again from a fresh worktree, leaving none', async () => {
    const { root } = workRepo();
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake);
    const id = await add(root, env, 'add a slug helper');
    fake.push(workPlan('Add a slug helper', ['src/slug.js']), { hang: true });
    const first = startDaemon(root, env);
    await waitForState(root, (s) =>
      s.queues.in_progress.some((t) => t.id === id && /fixing/.test(String(t.step))),
    );
    const worktree = worktreeOf(root, env, id);
    expect(existsSync(worktree)).toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;
    fake.push(
      workPlan('Add a slug helper', ['src/slug.js']),
      ...writesFiles({ 'src/slug.js': SLUG_OK, 'test/slug.test.js': SLUG_TEST }),
    );
    const second = startDaemon(root, env);
    const task = taskIn(await waitForState(root, finished(id), 60_000), id);
    expect(task).toMatchObject({ outcome: 'done', retry_count: 1 });
    expect(git(root, 'show', `fixloop/${id}:src/slug.js`)).toBe(SLUG_OK);
    expect(git(root, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(existsSync(worktree)).toBe(false);
    second.child.kill('SIGINT');
    await second.exited;
  }, 90_000);

  it('apply of an order built --after another brings the whole chain', async () => {
    const { root } = workRepo();
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake);
    const first = await add(root, env, 'add a slug helper');
    const second = await add(root, env, 'add a page title helper', '--after', first);
    const TITLE =
      'import { slug } from "./slug.js";\nexport const title = (s) => "# " + slug(s);\n';
    fake.push(
      workPlan('Add slug', ['src/slug.js']),
      ...writesFiles({ 'src/slug.js': SLUG_OK, 'test/slug.test.js': SLUG_TEST }),
      workPlan('Add title', ['src/title.js']),
      ...writesFiles({ 'src/title.js': TITLE }),
    );
    const daemon = startDaemon(root, env);
    await waitForState(root, ended([first, second]), 90_000);
    daemon.child.kill('SIGINT');
    await daemon.exited;
    const applied = await runCli(['apply', second, '--json'], { cwd: root, env });
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({
      applied: [first, second],
      present: [],
      files: ['src/slug.js', 'test/slug.test.js', 'src/title.js'],
    });
    expect(readFileSync(join(root, 'src/title.js'), 'utf8')).toBe(TITLE);
    expect(readFileSync(join(root, 'src/slug.js'), 'utf8')).toBe(SLUG_OK);
    expect(git(root, 'diff', '--cached', '--name-only')).toBe('');
    // Again: everything is there already; nothing changes.
    const again = await runCli(['apply', second, '--json'], { cwd: root, env });
    expect(JSON.parse(again.stdout)).toMatchObject({ applied: [], present: [first, second] });
    // The parent applied first, then the child: only the child's change is brought.
    git(root, 'checkout', '-q', '--', '.');
    git(root, 'clean', '-fqd', 'src', 'test');
    expect(existsSync(join(root, 'src/slug.js'))).toBe(false);
    expect((await runCli(['apply', first], { cwd: root, env })).code).toBe(0);
    const child = await runCli(['apply', second, '--json'], { cwd: root, env });
    expect(JSON.parse(child.stdout)).toMatchObject({ applied: [second], present: [first] });
    expect(readFileSync(join(root, 'src/title.js'), 'utf8')).toBe(TITLE);
  }, 120_000);
});
