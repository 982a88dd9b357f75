/**
 * A save that makes a test loop forever no longer holds every later check for
 * TEST_TIMEOUT_SECONDS: `fixloop status` shows the test running and for how long, the fixing
 * save cancels the hung check (its task ends naming what was still running), and the fix is
 * checked at once, by a warm runner that was restarted. Real CLI, real warm vitest.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { makeProject } from '../support/project.js';

const COUNT =
  'export const count = (n) => {\n  let i = 0;\n  while (i < n) i++;\n  return i;\n};\n';
const SPINS = 'export const count = (n) => {\n  let i = 0;\n  while (i < n) {}\n  return i;\n};\n';

describe('a hung check', () => {
  it('is shown by status, cut short by the fixing save, which is checked at once', async () => {
    const cwd = makeProject('vitest-project');
    mkdirSync(join(cwd, 'src'), { recursive: true });
    writeFileSync(join(cwd, 'src/count.js'), COUNT);
    writeFileSync(
      join(cwd, 'test/count.test.js'),
      "import { expect, it } from 'vitest';\nimport { count } from '../src/count.js';\n\n" +
        "it('counts to three', () => {\n  expect(count(3)).toBe(3);\n});\n",
    );
    // The default TEST_TIMEOUT_SECONDS (300 s): only the newer save can end the hung check.
    const daemon = startDaemon(cwd);
    await daemon.waitFor(/Running \(pid \d+\)/);
    writeFileSync(join(cwd, 'src/count.js'), SPINS);
    const hung = await waitForState(cwd, (s) => !!s.queues.in_progress[0]?.running, 60_000);
    expect(hung.queues.in_progress[0]?.running).toMatchObject({ file: 'test/count.test.js' });
    const status = await runCli(['status'], { cwd });
    expect(status.stdout).toMatch(/running\s+a test of test\/count\.test\.js.* for \d+s/);

    writeFileSync(join(cwd, 'src/count.js'), COUNT);
    const done = await waitForState(cwd, (s) => s.queues.completed.length === 2, 60_000);
    const [cancelled, fixed] = done.queues.completed;
    expect(cancelled).toMatchObject({
      file_path: 'src/count.js',
      outcome: 'cancelled',
      error: expect.stringMatching(
        /^cancelled by a newer save of src\/count\.js; still running: a test of test\/count\.test\.js/,
      ),
      still_running: [expect.objectContaining({ file: 'test/count.test.js' })],
    });
    expect(fixed).toMatchObject({ file_path: 'src/count.js', outcome: 'clean' });
    await daemon.waitFor(/⏹ task_[0-9a-f]{8} cancelled by a newer save of src\/count\.js/);
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 120_000);
});
