/**
 * An idle daemon leaves its state file alone: an update that changes nothing is not written, and
 * a lane whose only pending task it may not take (an order waiting for its parent) never writes;
 * yet a task written by another process is taken at once.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { systemClock } from '../../automation/clock.js';
import { Lanes } from '../../automation/lanes/lanes.js';
import { TaskLoop } from '../../automation/lanes/task-loop.js';
import { silentLogger } from '../../automation/log/logger.js';
import { StateStore } from '../../automation/store/store.js';
import { enqueue } from '../../automation/tasks/queue.js';
import { tempDir } from '../support/tmp.js';

function makeStore() {
  const file = join(tempDir(), 'state', 'app_state.json');
  return { file, store: new StateStore({ file, lockFile: `${file}.lock` }) };
}

const now = () => new Date().toISOString();

const stamp = (file: string) => {
  const s = statSync(file);
  return `${s.ino}:${s.mtimeMs}:${s.size}`;
};

it('an update that changes nothing leaves the file as it was; one that changes it writes', async () => {
  const { file, store } = makeStore();
  await store.update((s) => {
    s.stats.n = 1;
  });
  const before = stamp(file);
  expect(await store.update(() => 'same')).toBe('same');
  expect(stamp(file)).toBe(before);
  await store.update((s) => {
    s.stats.n = 2;
  });
  expect(stamp(file)).not.toBe(before);
});

it('a lane with only an order it may not take polls without writing', async () => {
  const { file, store } = makeStore();
  const now = new Date().toISOString();
  await store.update((s) => {
    enqueue(
      s,
      { type: 'work', file_path: null, description: 'waits', after: ['task_parent'] },
      now,
    );
  });
  const before = stamp(file);
  let polls = 0;
  const taken: string[] = [];
  const loop = new TaskLoop({
    store,
    clock: systemClock,
    logger: silentLogger,
    pollMs: 5,
    process: async (task) => {
      taken.push(task.id);
    },
    crashed: async () => {},
    select: () => {
      polls++;
      return undefined;
    },
  });
  const running = loop.run();
  // Every poll finds the file unchanged by itself: woken, it looks at the state again.
  while (polls < 20) {
    loop.wake();
    await new Promise((r) => setTimeout(r, 5));
  }
  loop.stop();
  await running;
  expect(taken).toEqual([]);
  expect(stamp(file)).toBe(before);
});

it('a task another process writes is taken at once, not at the next poll', async () => {
  const { file, store } = makeStore();
  await store.update(() => {}); // the daemon's state file exists before its lanes start
  const taken: string[] = [];
  const lanes = new Lanes(
    { store, clock: systemClock, logger: silentLogger, pollMs: 600_000, crashed: async () => {} },
    async (task) => {
      taken.push(task.id);
    },
    undefined,
  );
  await lanes.start(60_000);
  // `fixloop check` from another process: its own store on the same file.
  const other = new StateStore({ file, lockFile: `${file}.lock` });
  const id = await other.update(
    (s) =>
      enqueue(s, { type: 'manual', file_path: 'src/a.js', description: 'check' }, now()).task.id,
  );
  // A poll of ten minutes: only the change event can wake the lane within the test's time.
  while (!taken.includes(id)) await new Promise((r) => setTimeout(r, 10));
  lanes.stop();
  await lanes.finished();
}, 20_000);
