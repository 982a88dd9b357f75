/**
 * A run cut short names what it was still running: each runner's progress reporter tells which
 * tests started and never ended, read live (the check's watch) and kept on the verdict of a run
 * that was aborted or timed out. The run is cut when its progress shows the hung test started
 * (state, never a guess at how long start-up takes). Real runners.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checker, type CheckWatch } from '../../automation/check/checker.js';
import { detectSetups } from '../../automation/check/detect.js';
import { nodeProcessRunner } from '../../automation/check/process-runner.js';
import type { CheckTarget } from '../../automation/check/runner.js';
import { makeProject } from '../support/project.js';
import { tempDir } from '../support/tmp.js';

const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? '',
  CI: 'true',
  PYTHONDONTWRITEBYTECODE: '1',
};

/** Checks `target`, aborting once the live view shows `started` running; the verdict. */
async function cutWhenRunning(root: string, target: CheckTarget, started: RegExp) {
  const checker = new Checker({
    root,
    setups: detectSetups(root, undefined),
    processRunner: nodeProcessRunner,
    // Below the test's own timeout: a run the test gives up on is still killed.
    timeoutMs: 45_000,
    env,
  });
  const controller = new AbortController();
  const watch: CheckWatch = {};
  const seen: string[] = [];
  const poll = setInterval(() => {
    const now = JSON.stringify(watch.running?.() ?? []);
    seen.push(now);
    if (started.test(now)) controller.abort();
  }, 50);
  try {
    return { verdict: await checker.check(target, controller.signal, watch), seen };
  } finally {
    clearInterval(poll);
  }
}

describe('a run cut short names what was still running', () => {
  it('jest: the test that never returned', async () => {
    const root = makeProject('jest-project');
    writeFileSync(
      join(root, '__tests__/loop.test.js'),
      "test('passes first', () => expect(1).toBe(1));\ntest('spins forever', () => {\n" +
        '  for (;;) {}\n});\n',
    );
    const { verdict } = await cutWhenRunning(
      root,
      { scope: 'files', files: ['__tests__/loop.test.js'] },
      /spins forever/,
    );
    expect(verdict.status).toBe('error');
    expect(verdict.running).toEqual([
      expect.objectContaining({ name: 'spins forever', file: '__tests__/loop.test.js' }),
    ]);
  });

  it('pytest: the test that never returned, with its line', async () => {
    const root = makeProject('pytest-project');
    writeFileSync(
      join(root, 'tests/test_loop.py'),
      'def test_passes_first():\n    assert True\n\n\ndef test_spins_forever():\n' +
        '    while True:\n        pass\n',
    );
    const { verdict } = await cutWhenRunning(
      root,
      { scope: 'files', files: ['tests/test_loop.py'] },
      /test_spins_forever/,
    );
    expect(verdict.running).toEqual([
      expect.objectContaining({
        name: 'test_spins_forever',
        file: 'tests/test_loop.py',
        location: 'tests/test_loop.py:5',
      }),
    ]);
  });

  it('vitest: the file whose test blocked its worker, and its unfinished tests', async () => {
    const root = makeProject('vitest-project');
    writeFileSync(
      join(root, 'test/loop.test.js'),
      "import { expect, it } from 'vitest';\n\nit('passes first', () => expect(1).toBe(1));\n" +
        "it('spins forever', () => {\n  for (;;) {}\n});\n",
    );
    const { verdict } = await cutWhenRunning(
      root,
      { scope: 'files', files: ['test/loop.test.js'] },
      /spins forever/,
    );
    // vitest had not yet been told the test started (its worker was blocked): the file, and the
    // tests of it that had not finished.
    expect(verdict.running?.[0]).toMatchObject({ file: 'test/loop.test.js' });
    expect(JSON.stringify(verdict.running)).toMatch(/spins forever/);
  });

  it("node's test runner: the test file (its process sends no more)", async () => {
    const root = tempDir('fixloop-node-hang-');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ scripts: { test: 'node --test' } }));
    mkdirSync(join(root, 'test'));
    writeFileSync(
      join(root, 'test/loop.test.js'),
      "const test = require('node:test');\n\ntest('passes first', () => {});\n" +
        "test('spins forever', () => {\n  for (;;) {}\n});\n",
    );
    const { verdict } = await cutWhenRunning(
      root,
      { scope: 'files', files: ['test/loop.test.js'] },
      /test\/loop\.test\.js/,
    );
    expect(verdict.running).toEqual([
      expect.objectContaining({ name: null, file: 'test/loop.test.js' }),
    ]);
  });
});
