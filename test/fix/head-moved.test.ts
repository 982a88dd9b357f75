/**
 * A fix judged while HEAD moved is judged again: when the user commits the failing test while a
 * fix is under way, the failure becomes a known one, so the fix's attempt proves nothing. It is
 * rolled back (the file is as the user saved it) and the task ends clean naming the known
 * failure, never `fixed`. Real CLI, real git and vitest, a fake model API.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDaemon, waitForState } from '../support/daemon.js';
import { doneReply, editReply, fakeAnthropic, planReply } from '../support/fake-anthropic.js';
import { TEST_KEY } from '../support/fix-harness.js';
import { commitAll, git } from '../support/git.js';
import { edit, makeProject } from '../support/project.js';

describe('HEAD moves during a fix', () => {
  it('the failure became known: the attempt is rolled back and the task ends clean', async () => {
    const fake = await fakeAnthropic();
    const cwd = makeProject('vitest-project');
    commitAll(cwd);
    fake.push(
      // While the model plans, the user commits the breaking change: HEAD now fails the same way.
      {
        delayMs: 0,
        before: () => void git(cwd, 'commit', '-q', '-am', 'subtract instead'),
        then: planReply(),
      },
      // An edit that fixes nothing (the test still fails, now as a known failure).
      editReply({
        command: 'str_replace',
        path: 'src/math.js',
        old_str: 'export function multiply',
        new_str: '// looked at it\nexport function multiply',
      }),
      doneReply(),
    );
    const daemon = startDaemon(cwd, { ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url });
    await daemon.waitFor(/Running \(pid \d+\)/);
    edit(cwd, 'src/math.js', 'return a + b;', 'return a - b;');
    const saved = readFileSync(join(cwd, 'src/math.js'), 'utf8');
    const state = await waitForState(cwd, (s) => s.queues.completed.length === 1, 60_000);
    expect(state.queues.completed[0]).toMatchObject({
      outcome: 'clean',
      known_failures: [expect.objectContaining({ name: 'math adds two numbers' })],
    });
    expect(state.queues.completed[0]?.attempts?.[0]).toMatchObject({ outcome: 'known' });
    expect(readFileSync(join(cwd, 'src/math.js'), 'utf8')).toBe(saved);
    await daemon.waitFor(/is clean: its failure is now a known failure/);
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 90_000);
});
