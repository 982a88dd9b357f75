import { describe, expect, it } from 'vitest';
import { pullBody } from '../../automation/intake/comment.js';
import { runCli } from '../support/cli.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { doneReply, editReply, fakeAnthropic } from '../support/fake-anthropic.js';
import { commitAll, git } from '../support/git.js';
import { makeProject } from '../support/project.js';
import {
  add,
  ended,
  SLUG_OK,
  SLUG_TEST,
  taskIn,
  workEnv,
  workPlan,
  workRepo,
  writesFiles,
} from '../support/work-repo.js';

const CLAMP = 'export const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));\n';

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
});
