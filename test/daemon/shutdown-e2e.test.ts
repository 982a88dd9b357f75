import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readState, startDaemon, waitForState } from '../support/daemon.js';
import { processesIn, untilNoProcessIn } from '../support/processes.js';
import { makeProject } from '../support/project.js';
import { tempDir } from '../support/tmp.js';

const slow = { TEST_COMMAND: 'sleep 20', TEST_TIMEOUT_SECONDS: '60', WATCH_EXTENSIONS: '.js' };

async function midTask(env: Record<string, string>) {
  const cwd = tempDir();
  const daemon = startDaemon(cwd, { ...slow, ...env });
  await daemon.waitFor(/Running/);
  writeFileSync(join(cwd, 'a.js'), '1');
  await waitForState(cwd, (s) => s.queues.in_progress.length === 1);
  return { cwd, daemon };
}

describe('stopping the daemon', () => {
  const outlivesShutdown =
    'aborts a task that outlives SHUTDOWN_TIMEOUT_SECONDS and puts it back in pending';
  it(outlivesShutdown, async () => {
    const { cwd, daemon } = await midTask({ SHUTDOWN_TIMEOUT_SECONDS: '0.5' });
    const started = Date.now();
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(daemon.output).toMatch(/did not finish in time; aborting it/);
    const state = readState(cwd);
    expect(state.queues.in_progress).toEqual([]);
    expect(state.queues.pending).toEqual([
      expect.objectContaining({ file_path: 'a.js', retry_count: 0 }),
    ]);
    expect(state.processes.orchestrator?.status).toBe('stopped');
  }, 60_000);

  it('Ctrl+C during start-up stops what start-up went on to start, and exits', async () => {
    // Right after the status server is recorded, start-up still starts the timers and lanes.
    for (let round = 0; round < 3; round++) {
      const cwd = makeProject('vitest-project');
      const daemon = startDaemon(cwd, { STATUS_PORT: '0', WARM_RUNNER: 'false' });
      await waitForState(cwd, (s) => typeof s.processes.orchestrator?.status_url === 'string');
      daemon.child.kill('SIGINT');
      expect((await daemon.exited).code).toBe(0);
      expect(daemon.output).toMatch(/Shutdown complete/);
      expect(readState(cwd).processes.orchestrator?.status).toBe('stopped');
    }
  }, 60_000);

  it('a second signal stops at once, still cleanly', async () => {
    const { cwd, daemon } = await midTask({ SHUTDOWN_TIMEOUT_SECONDS: '60' });
    daemon.child.kill('SIGINT');
    await daemon.waitFor(/Waiting up to 60 s/);
    const started = Date.now();
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(daemon.output).toMatch(/Second signal: stopping now/);
    expect(daemon.output).toMatch(/Shutdown complete/);
    const state = readState(cwd);
    expect(state.queues.pending.map((t) => t.file_path)).toEqual(['a.js']);
    expect(state.processes.orchestrator?.status).toBe('stopped');
  }, 60_000);

  it('a check that ends while the daemon stops keeps its verdict (its report folder stays)', async () => {
    const cwd = makeProject('jest-project');
    // A test related to src/math.js that runs until the test opens its gate.
    writeFileSync(
      join(cwd, '__tests__/gate.test.js'),
      "const { existsSync } = require('node:fs');\nconst { add } = require('../src/math');\n" +
        "test('waits for the gate', () => {\n  while (!existsSync(__dirname + '/../gate'))\n" +
        '    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);\n' +
        '  expect(add(1, 1)).toBe(2);\n}, 60000);\n',
    );
    const daemon = startDaemon(cwd, { WARM_RUNNER: 'false', SHUTDOWN_TIMEOUT_SECONDS: '60' });
    await daemon.waitFor(/Running/);
    appendFileSync(join(cwd, 'src/math.js'), '\n');
    await waitForState(cwd, (s) => s.queues.in_progress.length === 1);
    daemon.child.kill('SIGINT');
    await daemon.waitFor(/Waiting up to 60 s/);
    writeFileSync(join(cwd, 'gate'), '');
    expect((await daemon.exited).code).toBe(0);
    const done = readState(cwd).queues.completed.at(-1);
    expect(done).toMatchObject({ file_path: 'src/math.js', outcome: 'clean' });
    expect(daemon.output).not.toMatch(/wrote no report/);
  }, 90_000);

  it('leaves no test process behind, stopped or killed (the warm runner ends too)', async () => {
    const cwd = makeProject('vitest-project');
    for (const how of ['SIGINT', 'SIGKILL'] as const) {
      const daemon = startDaemon(cwd);
      await daemon.waitFor(/Running/);
      appendFileSync(join(cwd, 'src/math.js'), `// ${how}\n`);
      await waitForState(cwd, (s) =>
        s.queues.completed.some((t) => t.outcome === 'clean' && t.updated_at > daemon.startedAt),
      );
      expect(readState(cwd).test_results.at(-1)).toMatchObject({ warm: true });
      expect(processesIn(cwd).length).toBeGreaterThan(1); // the daemon and its warm runner
      daemon.child.kill(how);
      await daemon.exited;
      // A killed daemon's runner notices its parent is gone and ends its process group.
      expect(await untilNoProcessIn(cwd)).toEqual([]);
    }
  }, 90_000);
});
