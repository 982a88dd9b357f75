/**
 * The daemon survives what users and machines do to it: its state file replaced or deleted under
 * it, a start-up part that cannot start (a taken STATUS_PORT). Real CLI, real files.
 */
import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { State } from '../../automation/store/schema.js';
import { runCli } from '../support/cli.js';
import { readState, startDaemon, waitForState } from '../support/daemon.js';
import { edit, makeProject } from '../support/project.js';
import { canMount, smallDisk } from '../support/small-disk.js';
import { tempDir } from '../support/tmp.js';

/** Polls `ok` (a state condition) every 50 ms, for at most 15 s. */
async function until(ok: () => boolean): Promise<void> {
  for (const stop = Date.now() + 15_000; !ok(); ) {
    if (Date.now() > stop) throw new Error('condition not met in 15 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the daemon under a hostile world', () => {
  for (const how of ['emptied', 'deleted'] as const) {
    it(`goes on when its state file is ${how}: it registers again, no takeover`, async () => {
      const cwd = makeProject('vitest-project');
      const daemon = startDaemon(cwd, { HEARTBEAT_INTERVAL_SECONDS: '0.5' });
      await daemon.waitFor(/Running \(pid \d+\)/);
      const file = join(cwd, 'state/app_state.json');
      // A write of the daemon's in flight (its temp file renamed over ours) can put the file back
      // just after we empty it; only then, with the daemon's entry back in it, is it done again.
      for (let tries = 1; ; tries++) {
        if (how === 'emptied') writeFileSync(file, '');
        else rmSync(file, { force: true });
        const noticed = await daemon.waitFor(/registered itself again/, 10_000).then(
          () => true,
          (error: Error) => error,
        );
        if (noticed === true) break;
        let back: State | undefined;
        try {
          back = readState(cwd);
        } catch {
          back = undefined; // still empty or gone: the daemon did not notice, which fails below
        }
        if (tries === 3 || back?.processes.orchestrator?.pid !== daemon.child.pid) throw noticed;
      }
      const state = await waitForState(cwd, (s) => s.processes.orchestrator?.status === 'running');
      expect(state.processes.orchestrator?.pid).toBe(daemon.child.pid);
      expect((await runCli(['status'], { cwd })).code).toBe(0);
      edit(cwd, 'src/math.js', 'return a + b;', 'return a + b; // saved');
      await waitForState(cwd, (s) => s.queues.completed.some((t) => t.file_path === 'src/math.js'));
      expect(daemon.output).not.toMatch(/took over/i);
      daemon.child.kill('SIGINT');
      expect((await daemon.exited).code).toBe(0);
    }, 60_000);
  }

  it('sweeps the temp files a killed daemon left, and removes its own at stop', async () => {
    const cwd = makeProject('vitest-project');
    const tmp = tempDir();
    const mine = () => readdirSync(tmp).filter((n) => n.startsWith('fixloop-'));
    const killed = startDaemon(cwd, { TMPDIR: tmp });
    await killed.waitFor(/Running \(pid \d+\)/);
    appendFileSync(join(cwd, 'src/math.js'), '// saved\n');
    await waitForState(cwd, (s) => s.queues.completed.length === 1);
    killed.child.kill('SIGKILL');
    await killed.exited;
    const [left] = mine();
    expect(left).toMatch(new RegExp(`^fixloop-${killed.child.pid}-`));
    writeFileSync(join(tmp, left as string, 'report-cut-short.json'), '{"numTotalTests"');
    writeFileSync(join(tmp, 'fixloop-demo-keep'), 'not a process folder');

    const next = startDaemon(cwd, { TMPDIR: tmp });
    await next.waitFor(/Running \(pid \d+\)/);
    // The killed daemon's folder is gone (the new one may have made its own: the sandbox binds it).
    const others = mine().filter((n) => !n.startsWith(`fixloop-${next.child.pid}-`));
    expect(others).toEqual(['fixloop-demo-keep']);
    appendFileSync(join(cwd, 'src/math.js'), '// saved again\n');
    await waitForState(cwd, (s) => s.queues.completed.length === 2);
    expect(mine()).toHaveLength(2);
    next.child.kill('SIGINT');
    expect((await next.exited).code).toBe(0);
    expect(mine()).toEqual(['fixloop-demo-keep']);
  }, 60_000);

  it('stops with exit 1 and one sentence when STATUS_PORT is taken, state released', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const cwd = makeProject('vitest-project');
      const daemon = startDaemon(cwd, { STATUS_PORT: String(port) });
      const exit = await daemon.exited;
      expect(exit.code).toBe(1);
      expect(daemon.output).toMatch(
        new RegExp(`fixloop: STATUS_PORT ${port} is already in use by another program; choose`),
      );
      expect(readState(cwd).processes.orchestrator?.status).toBe('stopped');
      // A second start finds no live owner to refuse it.
      expect((await runCli(['status'], { cwd })).code).toBe(3);
    } finally {
      taken.close();
    }
  }, 60_000);

  // The real thing where the machine allows it (the sink's own test injects ENOSPC everywhere).
  it.runIf(canMount)(
    'keeps working on a full log disk, says so once, and resumes',
    async () => {
      const cwd = makeProject('vitest-project');
      const disk = smallDisk(64);
      disk.fill(); // full from the first line on (a partly used page would still take lines)
      const daemon = startDaemon(cwd, { LOG_DIR: disk.dir });
      await daemon.waitFor(/Running \(pid \d+\)/);
      for (let i = 1; i <= 3; i++) {
        appendFileSync(join(cwd, 'src/math.js'), `// save ${i}\n`);
        await waitForState(cwd, (s) => s.queues.completed.length === i);
      }
      await daemon.waitFor(/Logging paused: the log cannot be written \(ENOSPC\)/);
      expect(daemon.output.match(/Logging paused/g)).toHaveLength(1);
      disk.free();
      await daemon.waitFor(/Logging resumed/, 15_000);
      expect((await runCli(['status'], { cwd })).code).toBe(0);
      daemon.child.kill('SIGINT');
      expect((await daemon.exited).code).toBe(0);
    },
    60_000,
  );

  it.runIf(canMount)(
    'keeps a save the full state disk cannot take, and checks it later',
    async () => {
      const cwd = makeProject('vitest-project');
      const disk = smallDisk(64);
      // No heartbeat while the disk is filled: a state write replacing the file would free its
      // old blocks, leaving room for the save.
      const daemon = startDaemon(cwd, {
        STATE_FILE: join(disk.dir, 'state.json'),
        HEARTBEAT_INTERVAL_SECONDS: '600',
      });
      await daemon.waitFor(/Running \(pid \d+\)/);
      // ...nor the first health check's record.
      await until(() => {
        const doc = JSON.parse(readFileSync(join(disk.dir, 'state.json'), 'utf8'));
        return !!doc.processes?.orchestrator?.last_health_check?.timestamp;
      });
      disk.fill();
      appendFileSync(join(cwd, 'src/math.js'), '// saved on a full disk\n');
      await daemon.waitFor(/Could not queue 1 change\(s\) \(.*ENOSPC.*\); they are kept/);
      disk.free();
      await daemon.waitFor(/Queued 1 change\(s\) kept while the state was stuck/, 15_000);
      await daemon.waitFor(/is clean: 2 passed/);
      daemon.child.kill('SIGINT');
      expect((await daemon.exited).code).toBe(0);
    },
    60_000,
  );
});
