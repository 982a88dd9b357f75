import { describe, expect, it } from 'vitest';
import { systemClock } from '../../automation/clock.js';
import { SaveIntake } from '../../automation/daemon/save-intake.js';
import { silentLogger } from '../../automation/log/logger.js';
import { DaemonConsole } from '../../automation/output/console.js';
import { StateWriteError } from '../../automation/store/errors.js';
import { StateStore } from '../../automation/store/store.js';
import { tempDir } from '../support/tmp.js';

/** Polls `ready` (state, not the clock: the retry's timing varies with the machine's load). */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((r) => setTimeout(r, 10));
}

describe('save intake', () => {
  it('keeps saves the store cannot take, and queues them when it can again', async () => {
    const dir = tempDir();
    const store = new StateStore({ file: `${dir}/state.json`, lockFile: `${dir}/state.json.lock` });
    let full = true;
    const update = store.update.bind(store);
    store.update = ((fn) => {
      if (full) return Promise.reject(new StateWriteError(store.file, { code: 'ENOSPC' }));
      return update(fn);
    }) as typeof store.update;
    const lines: string[] = [];
    let queued = 0;
    const intake = new SaveIntake({
      store,
      clock: systemClock,
      logger: silentLogger,
      console: new DaemonConsole({ write: (s: string) => lines.push(s) }, false),
      maxBatchSize: 10,
      onQueued: () => queued++,
      retryMs: 30,
    });
    intake.add([{ path: 'src/a.js', kind: 'changed' }]);
    intake.add([{ path: 'src/b.js', kind: 'changed' }]);
    await until(() => lines.some((l) => /Could not queue/.test(l)));
    await new Promise((r) => setTimeout(r, 100)); // retries meanwhile are not said again
    expect((await store.read()).queues.pending).toEqual([]);
    expect(lines.filter((l) => /Could not queue/.test(l))).toHaveLength(1);
    expect(lines[0]).toMatch(/ENOSPC.*kept and queued as soon as the state file can be written/);
    full = false;
    await until(() => lines.some((l) => /Queued 2 change/.test(l)));
    const pending = (await store.read()).queues.pending.map((t) => t.file_path).sort();
    expect(pending).toEqual(['src/a.js', 'src/b.js']);
    expect(queued).toBeGreaterThan(0);
    expect(lines.some((l) => /Queued 2 change\(s\) kept while the state was stuck/.test(l))).toBe(
      true,
    );
  });
});
