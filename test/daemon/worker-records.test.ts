/** Worker records do not pile up across restarts: stopped daemons' workers are forgotten. */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { WorkerRegistry, workersOf } from '../../automation/lanes/workers.js';
import { StateStore } from '../../automation/store/store.js';
import { tempDir } from '../support/tmp.js';

it('each start drops stopped records and day-old lost ones; a recent lost one stays', async () => {
  const file = join(tempDir(), 'state', 'app_state.json');
  const store = new StateStore({ file, lockFile: `${file}.lock` });
  let nowMs = Date.parse('2026-12-04T10:00:00.000Z');
  const clock = { now: () => nowMs };
  const registry = (pid: number, alive: (pid: number) => boolean = () => false) =>
    new WorkerRegistry({ store, clock, me: { host: 'h', pid }, count: 2, alive });
  for (let pid = 100; pid < 150; pid++) {
    const daemon = registry(pid);
    await daemon.register();
    await daemon.stopped();
    nowMs += 60_000;
  }
  // One that died without stopping (lost), then another a day later.
  await registry(200).register();
  nowMs += 25 * 3600_000;
  await registry(201).register();
  await registry(300).register();
  const ids = Object.keys(workersOf(await store.read())).sort();
  expect(ids).toEqual(['h:201:w1', 'h:201:w2', 'h:300:w1', 'h:300:w2']);
  const statuses = Object.values(workersOf(await store.read())).map((w) => w.status);
  expect(statuses.sort()).toEqual(['idle', 'idle', 'lost', 'lost']);
});
