/**
 * Flaky tests are called flaky: a test that fails every other run is run again on the same tree
 * before anything is blamed; the task ends clean naming it, no model is asked, the console warns,
 * and once it has been flaky three times in a day `fixloop status` lists it. FLAKY_RERUNS=0
 * blames it as before. Real CLI, real vitest, a fake model API that counts calls.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { fakeAnthropic } from '../support/fake-anthropic.js';
import { TEST_KEY } from '../support/fix-harness.js';
import { makeProject } from '../support/project.js';

/**
 * A test that fails on odd runs and passes on even ones (its count kept in a file of the project
 * no watch sees: the sandbox lets a run write only its own tree).
 */
function everyOtherRun(root: string): void {
  const counter = join(root, '.runs');
  writeFileSync(counter, '0');
  writeFileSync(
    join(root, 'test/timing.test.js'),
    "import { readFileSync, writeFileSync } from 'node:fs';\n" +
      "import { expect, it } from 'vitest';\nimport { add } from '../src/math.js';\n\n" +
      "it('finishes in time', () => {\n" +
      `  const runs = Number(readFileSync(${JSON.stringify(counter)}, 'utf8')) + 1;\n` +
      `  writeFileSync(${JSON.stringify(counter)}, String(runs));\n` +
      '  expect(runs % 2 === 1 ? -1 : add(1, 1)).toBe(2);\n});\n',
  );
}

const save = (root: string, n: number) => {
  const file = join(root, 'src/math.js');
  writeFileSync(file, `${readFileSync(file, 'utf8')}// save ${n}\n`);
};

describe('flaky tests', () => {
  it('end clean, flagged, with no model call; three in a day are listed by status', async () => {
    const fake = await fakeAnthropic();
    const cwd = makeProject('vitest-project');
    everyOtherRun(cwd);
    // FLAKY_RERUNS as a user has it by default (the test helper turns it off).
    const daemon = startDaemon(cwd, {
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      FLAKY_RERUNS: '1',
    });
    await daemon.waitFor(/Running \(pid \d+\)/);
    for (let n = 1; n <= 3; n++) {
      save(cwd, n);
      await waitForState(cwd, (s) => s.queues.completed.length === n, 60_000);
    }
    const state = await waitForState(cwd, (s) => s.queues.completed.length === 3);
    for (const task of state.queues.completed) {
      expect(task).toMatchObject({
        outcome: 'clean',
        flaky: ['test/timing.test.js > finishes in time'],
      });
    }
    expect(fake.messages).toHaveLength(0);
    await daemon.waitFor(/⚠ flaky: test\/timing\.test\.js > finishes in time \(test\/timing/);
    const status = await runCli(['status', '--json'], { cwd });
    expect(JSON.parse(status.stdout).flaky_tests).toEqual([
      expect.objectContaining({ id: 'test/timing.test.js > finishes in time', last_day: 3 }),
    ]);
    expect((await runCli(['status'], { cwd })).stdout).toMatch(
      /flaky\s+test\/timing\.test\.js > finishes in time — 3× in the last day/,
    );
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 120_000);

  it('FLAKY_RERUNS=0 runs nothing again: the failure is blamed on the save', async () => {
    const cwd = makeProject('vitest-project');
    everyOtherRun(cwd);
    const daemon = startDaemon(cwd, { FLAKY_RERUNS: '0' });
    await daemon.waitFor(/Running \(pid \d+\)/);
    save(cwd, 1);
    const state = await waitForState(cwd, (s) => s.queues.failed.length === 1, 60_000);
    expect(state.queues.failed[0]?.error).toMatch(/finishes in time/);
    expect(state.queues.failed[0]?.flaky).toBeUndefined();
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 90_000);
});
