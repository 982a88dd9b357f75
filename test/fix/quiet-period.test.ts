/**
 * The quiet period: a fix plans at once but writes only after the developer has paused; a save
 * during the wait starts it over, and the wait does not count against the attempt's time.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../automation/clock.js';
import { Deadline } from '../../automation/fix/deadline.js';
import { QuietPeriod } from '../../automation/workspace/quiet-period.js';
import { readState, startDaemon, waitForState } from '../support/daemon.js';
import { doneReply, editReply, fakeAnthropic, planReply } from '../support/fake-anthropic.js';
import { TEST_KEY } from '../support/fix-harness.js';
import { edit, makeProject } from '../support/project.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('QuietPeriod', () => {
  it('waits until the last save is quietMs old; a save meanwhile starts it over', async () => {
    vi.useFakeTimers({ now: 0 });
    const quiet = new QuietPeriod(5000);
    const waits: number[] = [];
    // Never saved: nothing to wait for.
    await quiet.untilQuiet(new AbortController().signal, () => waits.push(Date.now()));
    quiet.saved(); // t = 0
    let done: number | undefined;
    void quiet
      .untilQuiet(new AbortController().signal, () => waits.push(Date.now()))
      .then(() => {
        done = Date.now();
      });
    await vi.advanceTimersByTimeAsync(3000);
    quiet.saved(); // t = 3000: the pause now ends at 8000
    await vi.advanceTimersByTimeAsync(4999);
    expect(done).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(8000);
    expect(waits).toEqual([0]); // told once that it waits
  });

  it('stops waiting when aborted, with the reason', async () => {
    vi.useFakeTimers({ now: 0 });
    const quiet = new QuietPeriod(5000);
    quiet.saved();
    const controller = new AbortController();
    const waiting = quiet.untilQuiet(controller.signal, () => {});
    controller.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
  });

  it('a paused deadline does not expire; it counts on from where it stopped', async () => {
    vi.useFakeTimers({ now: 0 });
    let expired: number | undefined;
    const deadline = new Deadline(1000, () => (expired = Date.now()), systemClock);
    await vi.advanceTimersByTimeAsync(600);
    deadline.pause();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(expired).toBeUndefined();
    deadline.resume();
    await vi.advanceTimersByTimeAsync(400);
    expect(expired).toBe(11_000);
  });
});

describe('the daemon waits for you to pause before a fix writes', () => {
  it('delays the write while you keep saving, and writes after the pause', async () => {
    const fake = await fakeAnthropic();
    const cwd = makeProject('vitest-project');
    fake.push(
      planReply(),
      editReply({
        command: 'str_replace',
        path: 'src/math.js',
        old_str: 'return a - b;',
        new_str: 'return a + b;',
      }),
      doneReply(),
    );
    const QUIET_MS = 4000;
    const daemon = startDaemon(cwd, {
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      FIX_QUIET_SECONDS: String(QUIET_MS / 1000),
    });
    await daemon.waitFor(/Running/);
    edit(cwd, 'src/math.js', 'return a + b;', 'return a - b;');
    // You keep saving other files, every 0.3 s (far less than the quiet period): the planner runs
    // at once, the write waits. Three more saves once it says it waits.
    const saves: Array<{ file: string; at: number }> = [];
    const waiting = /Waiting for you to pause before writing the fix/;
    for (let more = 3; more > 0; more -= waiting.test(daemon.output) ? 1 : 0) {
      const file = `src/note${saves.length + 1}.js`;
      writeFileSync(join(cwd, file), `export const note = ${saves.length + 1};\n`);
      saves.push({ file, at: Date.now() });
      await new Promise((r) => setTimeout(r, 300));
      expect(readState(cwd).queues.completed.some((t) => t.outcome === 'fixed')).toBe(false);
    }
    const done = await waitForState(cwd, (s) =>
      s.queues.completed.some((t) => t.outcome === 'fixed'),
    );
    const writtenAt = statSync(join(cwd, 'src/math.js')).mtimeMs;
    // Every save the daemon had seen before the write was at least QUIET_MS older than the write,
    // including those made while it said it waited.
    const seenBefore = saves.filter((save) =>
      done.conversation_history.some(
        (e) =>
          e.type === 'task_created' &&
          e.file_path === save.file &&
          Date.parse(e.timestamp) < writtenAt,
      ),
    );
    expect(seenBefore.at(-1)).toEqual(saves.at(-1));
    for (const save of seenBefore) expect(writtenAt - save.at).toBeGreaterThanOrEqual(QUIET_MS);
    const task = done.queues.completed.find((t) => t.outcome === 'fixed');
    expect(task?.attempts[0]?.outcome).toBe('passed');
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 90_000);
});
