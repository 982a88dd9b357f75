/**
 * The daemon judges real project shapes as a user would want (real CLI, real runners,
 * observe-only):
 * failures already there at HEAD end clean and are listed, a workspace is scoped like its test
 * script, causes are kept in the state, the log and the CLI, and the git tree stays clean.
 */
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { commitAll, git } from '../support/git.js';
import { edit, makeProject } from '../support/project.js';

const CLOCK_TEST =
  "import { expect, it } from 'vitest';\nimport { add } from '../src/math.js';\n\n" +
  "it('runs in the UTC+14 zone', () => {\n  expect(add(0, 14)).toBe(-10);\n});\n";

describe('judging real projects, end to end', () => {
  it('known failures end clean and are listed; a git project stays clean', async () => {
    const cwd = makeProject('vitest-project');
    writeFileSync(join(cwd, 'test/clock.test.js'), CLOCK_TEST);
    commitAll(cwd);
    // Read-only commands create nothing.
    expect((await runCli(['status'], { cwd })).code).toBe(3);
    expect((await runCli(['tasks', '--json'], { cwd })).code).toBe(0);
    expect(existsSync(join(cwd, 'state')) || existsSync(join(cwd, 'logs'))).toBe(false);

    const daemon = startDaemon(cwd);
    await daemon.waitFor(/Running \(pid \d+\)/);
    const original = readFileSync(join(cwd, 'src/math.js'), 'utf8');
    writeFileSync(join(cwd, 'src/math.js'), `${original}// a harmless save\n`);
    const clean = await waitForState(cwd, (s) => s.queues.completed.length === 1);
    expect(clean.queues.completed[0]).toMatchObject({
      outcome: 'clean',
      known_failures: [{ name: 'runs in the UTC+14 zone', file: 'test/clock.test.js' }],
    });
    await daemon.waitFor(/is clean \(its failures were already there before your change\)/);
    const status = JSON.parse((await runCli(['status', '--json'], { cwd })).stdout);
    expect(status.recent[0]).toMatchObject({ outcome: 'clean', known_failures: 1 });

    edit(cwd, 'src/math.js', 'return a + b;', 'return a - b;');
    const broken = await waitForState(cwd, (s) => s.queues.failed.length === 1);
    expect(broken.queues.failed[0]?.error).toMatch(/math adds two numbers/);
    expect(broken.queues.failed[0]?.error).not.toMatch(/UTC\+14/);

    writeFileSync(join(cwd, 'src/math.js'), original);
    await waitForState(cwd, (s) => s.queues.completed.length === 2);
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    expect(git(cwd, 'status', '--porcelain')).toBe('');
  }, 90_000);

  it('scopes a workspace like its test script: a project that cannot start is fine', async () => {
    const cwd = makeProject('vitest-monorepo');
    // A symbolic link is no save: none becomes a task (chokidar reports them at start).
    symlinkSync('../../core/src/greet.js', join(cwd, 'packages/web/test/greet-link.js'));
    const daemon = startDaemon(cwd);
    await daemon.waitFor(/Running \(pid \d+\)/);
    const greet = join(cwd, 'packages/core/src/greet.js');
    writeFileSync(greet, `${readFileSync(greet, 'utf8')}// saved\n`);
    const done = await waitForState(cwd, (s) => s.queues.completed.length === 1);
    expect(done.queues.completed).toHaveLength(1);
    expect(done.queues.completed[0]).toMatchObject({
      file_path: 'packages/core/src/greet.js',
      outcome: 'clean',
    });
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 60_000);

  it('keeps expected and received (jest roots); a save without tests gets no ✓', async () => {
    const cwd = makeProject('jest-roots');
    writeFileSync(join(cwd, 'src/unused.js'), 'module.exports = {};\n');
    const daemon = startDaemon(cwd);
    await daemon.waitFor(/Running \(pid \d+\)/);
    edit(cwd, 'src/math.js', 'return a + b;', 'return a - b;');
    const failed = await waitForState(cwd, (s) => s.queues.failed.length === 1);
    // Either failing test may come first; each keeps the values it compared.
    expect(failed.queues.failed[0]?.error).toMatch(
      / — .*toBe\(expected\).* — Expected: .+, Received: .+/,
    );
    const failing = failed.test_results.at(-1)?.failing_tests as Array<{ message: string }>;
    expect(failing.map((f) => f.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/Expected: 5, Received: -1/)]),
    );
    const tasks = await runCli(['tasks'], { cwd });
    expect(tasks.stdout).toMatch(/Expected: /);

    writeFileSync(join(cwd, 'src/unused.js'), 'module.exports = { unused: true };\n');
    await waitForState(cwd, (s) => s.queues.completed.some((t) => t.file_path === 'src/unused.js'));
    await daemon.waitFor(/– task_\w+ has no related tests/);
    expect(daemon.output).not.toMatch(/✓ task_\w+ has no related tests/);
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 60_000);

  it('keeps the tail of a run that wrote no report: in state, log and CLI', async () => {
    const cwd = makeProject('jest-project');
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
    delete pkg.jest;
    writeFileSync(join(cwd, 'package.json'), JSON.stringify(pkg));
    writeFileSync(join(cwd, 'jest.config.js'), "throw new Error('the jest config is broken');\n");
    const daemon = startDaemon(cwd);
    await daemon.waitFor(/Running \(pid \d+\)/);
    edit(cwd, 'src/math.js', 'return a + b;', 'return a + b; // saved');
    const failed = await waitForState(cwd, (s) => s.queues.failed.length === 1);
    expect(failed.queues.failed[0]?.error).toMatch(
      /wrote no report; its output ended: .*the jest config is broken/,
    );
    expect((await runCli(['tasks', '--status', 'failed'], { cwd })).stdout).toMatch(
      /the jest config/,
    );
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    const log = readFileSync(join(cwd, 'logs/automation.log'), 'utf8');
    expect(log).toMatch(/"msg":"task failed"/);
    expect(log).toMatch(/the jest config is broken/);
    for (const line of log.trim().split('\n')) expect(line.match(/"pid":/g)).toHaveLength(1);
  }, 60_000);

  it('keeps the import error behind a pytest collection failure', async () => {
    const cwd = makeProject('pytest-project');
    const daemon = startDaemon(cwd);
    await daemon.waitFor(/Running \(pid \d+\)/);
    writeFileSync(
      join(cwd, 'calc/arith.py'),
      'import nonexistent_pkg\n\ndef add(a, b):\n    return a + b\n',
    );
    const failed = await waitForState(cwd, (s) => s.queues.failed.length === 1);
    expect(failed.queues.failed[0]?.error).toMatch(
      /ModuleNotFoundError: No module named 'nonexistent_pkg'/,
    );
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 60_000);
});
