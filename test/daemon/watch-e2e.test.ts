import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { readState, startDaemon, waitForState } from '../support/daemon.js';
import { edit, makeProject } from '../support/project.js';
import { tempDir } from '../support/tmp.js';

const finished = (s: ReturnType<typeof readState>) => [...s.queues.completed, ...s.queues.failed];

describe('fixloop watch, end to end (real CLI, real vitest)', () => {
  const brokenSaveThenRepair =
    'records a broken save as failed, a repair as clean, ' +
    'picks up `add`, and stops cleanly on SIGINT';
  it(brokenSaveThenRepair, async () => {
    const cwd = makeProject('vitest-project');
    const daemon = startDaemon(cwd);
    await daemon.waitFor(/Running \(pid \d+\)/);
    expect(daemon.output).toMatch(/Test runner: vitest/);
    expect(daemon.output).toMatch(/Auto-fix: off \(no ANTHROPIC_API_KEY\)/);

    edit(cwd, 'src/math.js', 'return a + b;', 'return a - b;');
    const broken = await waitForState(cwd, (s) => s.queues.failed.length === 1);
    const failed = broken.queues.failed[0]!;
    expect(failed).toMatchObject({
      type: 'file_change',
      file_path: 'src/math.js',
      status: 'failed',
      outcome: 'failed',
    });
    expect(failed.error).toMatch(/math adds two numbers/);
    expect(broken.test_results.at(-1)).toMatchObject({
      task_id: failed.id,
      passed: false,
      status: 'failed',
    });
    const status = await runCli(['status', '--json'], { cwd });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      daemon: 'running',
      recent: [expect.objectContaining({ id: failed.id, outcome: 'failed' })],
    });

    edit(cwd, 'src/math.js', 'return a - b;', 'return a + b;');
    const repaired = await waitForState(cwd, (s) =>
      s.queues.completed.some((t) => t.file_path === 'src/math.js' && t.outcome === 'clean'),
    );
    expect(repaired.queues.failed).toHaveLength(1);

    const added = await runCli(['check'], { cwd });
    const id = added.stdout.trim();
    expect(added.stderr).toBe(''); // a daemon runs: nothing to say
    await waitForState(
      cwd,
      (s) => s.queues.completed.some((t) => t.id === id && t.outcome === 'clean'),
      15_000,
    );

    daemon.child.kill('SIGINT');
    const { code } = await daemon.exited;
    expect(code).toBe(0);
    const statistics = [
      /Session statistics:\n {2}Uptime: \d+:\d\d:\d\d\n/,
      / {2}Tasks processed: 3\n {2}Tasks succeeded: 2\n {2}Tasks failed: 1\n/,
      / {2}Tasks escalated: 0\n {2}Success rate: 66\.7%/,
    ];
    expect(daemon.output).toMatch(new RegExp(statistics.map((r) => r.source).join('')));
    expect(daemon.output).toMatch(/Shutdown complete/);
    const after = readState(cwd);
    expect(after.processes.orchestrator?.status).toBe('stopped');
    expect(after.stats).toMatchObject({ tasks_processed: 3, tasks_succeeded: 2, tasks_failed: 1 });
    expect((await runCli(['status'], { cwd })).code).toBe(3);
  }, 120_000);

  it('goes on when the reader of its output goes away (`| tee`, then tee ends)', async () => {
    const cwd = makeProject('vitest-project');
    const daemon = startDaemon(cwd);
    await daemon.waitFor(/Running \(pid \d+\)/);
    daemon.child.stdout?.destroy();
    daemon.child.stderr?.destroy();
    edit(cwd, 'src/math.js', 'return a + b;', 'return a - b;'); // its lines now hit a closed pipe
    await waitForState(cwd, (s) => s.queues.failed.length === 1);
    edit(cwd, 'src/math.js', 'return a - b;', 'return a + b;');
    await waitForState(cwd, (s) => s.queues.completed.some((t) => t.outcome === 'clean'));
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0); // an orderly stop, as ever
    expect(readState(cwd).processes.orchestrator?.status).toBe('stopped');
  }, 60_000);

  it('refuses a second daemon on the same state file with exit 3 naming the first', async () => {
    const cwd = makeProject('vitest-project');
    const first = startDaemon(cwd);
    await first.waitFor(/Running \(pid (\d+)\)/);
    const second = await runCli(['watch'], { cwd, env: { HEARTBEAT_INTERVAL_SECONDS: '1' } });
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`pid ${first.child.pid}`);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
  }, 60_000);

  it('after SIGKILL mid-task, a restart takes over and runs the task again', async () => {
    const cwd = tempDir();
    const env = {
      TEST_COMMAND: 'echo run >> runs.txt; sleep 2',
      TEST_TIMEOUT_SECONDS: '30',
      WATCH_EXTENSIONS: '.js',
    };
    const daemon = startDaemon(cwd, env);
    await daemon.waitFor(/Running/);
    writeFileSync(join(cwd, 'a.js'), 'export const a = 1;\n');
    await waitForState(cwd, (s) => s.queues.in_progress.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    const crashed = readState(cwd);
    expect(crashed.queues.in_progress).toHaveLength(1);
    const id = crashed.queues.in_progress[0]!.id;

    const again = startDaemon(cwd, env);
    await again.waitFor(/Recovered interrupted task/);
    const done = await waitForState(cwd, (s) => s.queues.completed.some((t) => t.id === id));
    expect(done.queues.completed.find((t) => t.id === id)).toMatchObject({
      outcome: 'clean',
      retry_count: 1,
    });
    expect(readFileSync(join(cwd, 'runs.txt'), 'utf8')).toBe('run\nrun\n');
    again.child.kill('SIGINT');
    expect((await again.exited).code).toBe(0);
  }, 60_000);

  it('never makes tasks from its own state and log writes', async () => {
    const cwd = makeProject('vitest-project');
    // State and logs inside the project, written often.
    const daemon = startDaemon(cwd, {
      HEARTBEAT_INTERVAL_SECONDS: '0.1',
      HEALTH_CHECK_INTERVAL_SECONDS: '0.3',
      WATCH_EXTENSIONS: '.js,.json,.log',
    });
    await daemon.waitFor(/Running/);
    await new Promise((r) => setTimeout(r, 3000));
    appendFileSync(join(cwd, 'logs/automation.log'), '');
    const state = readState(cwd);
    expect(
      finished(state).length + state.queues.pending.length + state.queues.in_progress.length,
    ).toBe(0);
    expect(state.processes.orchestrator?.last_health_check).toMatchObject({ healthy: true });
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    expect(readState(cwd).conversation_history.filter((e) => e.type === 'task_created')).toEqual(
      [],
    );
  }, 60_000);

  it('turns changes still in the debounce window at stop into pending tasks', async () => {
    const cwd = makeProject('vitest-project');
    const daemon = startDaemon(cwd, { FILE_WATCH_DEBOUNCE_SECONDS: '30' });
    await daemon.waitFor(/Running/);
    edit(cwd, 'src/greeting.js', 'Hello', 'Hi');
    await new Promise((r) => setTimeout(r, 500));
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    const state = readState(cwd);
    expect(state.queues.pending).toEqual([
      expect.objectContaining({ file_path: 'src/greeting.js', type: 'file_change' }),
    ]);
  }, 60_000);
});
