/**
 * Work orders prove their change: a file no test relates to (a new module, the README) is judged
 * by the whole suite and named `uncovered`; a test the order adds that fails at the base and
 * passes with the change is named `proving`; the verification line reaches `fixloop tasks` and
 * the pull request; WORK_REQUIRE_TESTS fails an untested module, naming it; skipping an existing
 * test is refused; and `fixloop apply` of an order built `--after` another brings both. Real git,
 * node --test and the real CLI; a scripted model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pullBody } from '../../automation/intake/comment.js';
import type { State, Task } from '../../automation/store/schema.js';
import { runCli } from '../support/cli.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { doneReply, editReply, fakeAnthropic } from '../support/fake-anthropic.js';
import { commitAll, git } from '../support/git.js';
import { makeProject } from '../support/project.js';
import {
  SLUG_OK,
  SLUG_TEST,
  workEnv,
  workPlan,
  workRepo,
  writesFiles,
} from '../support/work-repo.js';

const CLAMP = 'export const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));\n';

const ended = (ids: string[]) => (s: State) =>
  ids.every((id) => [...s.queues.completed, ...s.queues.failed].some((t) => t.id === id));
const taskIn = (s: State, id: string) =>
  [...s.queues.completed, ...s.queues.failed].find((t) => t.id === id) as Task;

async function add(root: string, env: Record<string, string>, ...args: string[]) {
  const run = await runCli(['add', ...args], { cwd: root, env });
  // Nothing on stderr but, when the daemon is not up yet, that the order waits for it.
  expect(run.stderr.replace(/^queued; it runs when `fixloop watch` is running.*\n/, '')).toBe('');
  return run.stdout.trim();
}

describe('work orders prove their change', () => {
  it('uncovered files run the suite, added tests prove it, and the line is shown', async () => {
    const { root } = workRepo();
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake);
    const module = await add(root, env, 'add a clamp helper');
    const readme = await add(root, env, 'describe the project in the README');
    const proven = await add(root, env, 'add a slug helper with a test');
    fake.push(
      workPlan('Add clamp', ['src/clamp.js']),
      ...writesFiles({ 'src/clamp.js': CLAMP }),
      workPlan('Write the README', ['README.md']),
      ...writesFiles({ 'README.md': '# math\n\nSmall helpers.\n' }),
      workPlan('Add slug', ['src/slug.js', 'test/slug.test.js']),
      ...writesFiles({ 'src/slug.js': SLUG_OK, 'test/slug.test.js': SLUG_TEST }),
    );
    const daemon = startDaemon(root, env);
    const state = await waitForState(root, ended([module, readme, proven]), 90_000);
    expect(taskIn(state, module)).toMatchObject({
      outcome: 'done',
      result: {
        verification: {
          uncovered: ['src/clamp.js'],
          suite: { passed: 1, failed: 0 },
          proving: [],
        },
        verification_line: 'no test proves it · suite: 1 pass · uncovered: src/clamp.js',
      },
    });
    expect(taskIn(state, readme)).toMatchObject({
      outcome: 'done',
      result: { verification: { uncovered: ['README.md'], suite: { passed: 1 } } },
    });
    const slug = taskIn(state, proven);
    expect(slug).toMatchObject({
      outcome: 'done',
      result: {
        verification: {
          proving: ['test/slug.test.js > slug'],
          uncovered: [],
          suite: null,
          related: { passed: 1, failed: 0, files: [] },
        },
        verification_line: '1 test proves it · 1 related pass',
      },
    });
    const list = await runCli(['tasks'], { cwd: root, env });
    expect(list.stdout).toContain('1 test proves it · 1 related pass');
    const body = pullBody({ issue: 7, task: slug }, []);
    expect(body).toContain('Tests: 1 test proves it · 1 related pass');
    expect(body).toContain('- `test/slug.test.js > slug`');
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 120_000);

  it("a vitest project: the order's new test proves it, run at the base too", async () => {
    const root = makeProject('vitest-project');
    commitAll(root);
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake);
    const id = await add(root, env, 'add clamp');
    fake.push(
      workPlan('Add clamp', ['src/clamp.js', 'test/clamp.test.js']),
      ...writesFiles({
        'src/clamp.js': CLAMP,
        'test/clamp.test.js':
          "import { expect, it } from 'vitest';\nimport { clamp } from '../src/clamp.js';\n\n" +
          "it('clamps', () => {\n  expect(clamp(5, 0, 3)).toBe(3);\n});\n" +
          "it('keeps what is inside', () => {\n  expect(1).toBe(1);\n});\n",
      }),
    );
    const daemon = startDaemon(root, env);
    const task = taskIn(await waitForState(root, ended([id]), 90_000), id);
    // At the base the file cannot load (clamp.js is the order's): both of its tests fail there.
    expect(task).toMatchObject({
      outcome: 'done',
      result: {
        verification: {
          proving: ['test/clamp.test.js > clamps', 'test/clamp.test.js > keeps what is inside'],
          uncovered: [],
        },
        verification_line: '2 tests prove it · 2 related pass',
      },
    });
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 120_000);

  it('WORK_REQUIRE_TESTS fails an untested module, and a skipped test is refused', async () => {
    const { root } = workRepo();
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake, { WORK_REQUIRE_TESTS: 'true' });
    const untested = await add(root, env, 'add a clamp helper');
    const skipper = await add(root, env, 'make the suite green');
    fake.push(
      workPlan('Add clamp', ['src/clamp.js']),
      ...writesFiles({ 'src/clamp.js': CLAMP }),
      workPlan('Skip the failing test', ['test/math.test.js']),
      editReply({
        command: 'str_replace',
        path: 'test/math.test.js',
        old_str: 'test("add"',
        new_str: 'test.skip("add"',
      }),
      doneReply(),
    );
    const daemon = startDaemon(root, env);
    const state = await waitForState(root, ended([untested, skipper]), 90_000);
    expect(taskIn(state, untested)).toMatchObject({ outcome: 'failed' });
    expect(taskIn(state, untested).error).toMatch(
      /last: src\/clamp\.js has no test; add a test for it \(WORK_REQUIRE_TESTS=true\)/,
    );
    expect(taskIn(state, skipper).error).toMatch(
      /every edit was refused: test\/math\.test\.js: the change marks a test skipped or focused \(test\.skip\)/,
    );
    expect(git(root, 'branch', '--list', 'fixloop/*').trim()).toBe('');
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 120_000);

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
