import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../automation/clock.js';
import { writeFileAtomic } from '../../automation/fs/atomic-write.js';
import { silentLogger } from '../../automation/log/logger.js';
import type { FileEvent } from '../../automation/watch/batcher.js';
import { SelfWrites } from '../../automation/watch/self-writes.js';
import { ProjectWatcher } from '../../automation/watch/watcher.js';
import { tempDir } from '../support/tmp.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (up to 10 s) for `ok` to hold. */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await sleep(50);
  if (!ok()) throw new Error('condition not met in 10 s');
}

describe('ProjectWatcher (real chokidar)', () => {
  const neverMissesUserSave =
    'never misses a user save that lands right after a write of ours, ' +
    'and never reports our own writes (made or only announced)';
  it(neverMissesUserSave, async () => {
    const root = tempDir();
    mkdirSync(join(root, 'src'));
    const file = join(root, 'src/price.js');
    writeFileSync(file, 'start\n');
    const selfWrites = new SelfWrites(root, systemClock);
    const batches: FileEvent[][] = [];
    const watcher = new ProjectWatcher({
      projectRoot: root,
      ownDirs: [],
      ownFiles: [],
      extensions: ['.js'],
      extraIgnore: [],
      readGitignore: () => undefined,
      debounceMs: 20,
      selfWrites,
      logger: silentLogger,
      onBatch: (b) => batches.push(b),
      onLimit: () => {},
    });
    await watcher.start();
    try {
      const rounds = 12;
      for (let i = 0; i < rounds; i++) {
        // A fix attempt and its rollback (as the fixer writes: atomic replacement), then the user
        // saves at once.
        for (const content of [`fix ${i}\n`, `start ${i}\n`]) {
          selfWrites.remember('src/price.js', content);
          await writeFileAtomic(file, content, { keepMode: true });
          await sleep(i % 2 ? 60 : 5 * i);
        }
        const before = batches.flat().length;
        writeFileSync(file, `user save ${i}\n`);
        const deadline = Date.now() + 5000;
        while (batches.flat().length === before && Date.now() < deadline) await sleep(20);
        expect(batches.flat().length, `user save ${i} was reported`).toBeGreaterThan(before);
      }
      // Our own writes, and their rechecks, report nothing.
      await sleep(3500);
      const settled = batches.flat().length;
      for (const content of ['fix again\n', 'start again\n']) {
        selfWrites.remember('src/price.js', content);
        await writeFileAtomic(file, content, { keepMode: true });
        await sleep(60);
      }
      // A write announced but never made (an attempt aborted after its hook allowed it) is no
      // change either.
      selfWrites.remember('src/price.js', 'never written\n');
      await sleep(3500);
      expect(batches.flat().length).toBe(settled);
    } finally {
      await watcher.stop();
    }
  }, 90_000);

  it('restarts after running out of file handles, checking saves made meanwhile', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'a.js'), 'one\n');
    const made: FSWatcher[] = [];
    const factory = ((path, options) => {
      const w = watch(path, options);
      made.push(w);
      return w;
    }) as typeof watch;
    const batches: FileEvent[][] = [];
    const said: string[] = [];
    const watcher = new ProjectWatcher({
      projectRoot: root,
      ownDirs: [],
      ownFiles: [],
      extensions: ['.js'],
      extraIgnore: [],
      readGitignore: () => undefined,
      debounceMs: 20,
      selfWrites: new SelfWrites(root, systemClock),
      logger: silentLogger,
      onBatch: (b) => batches.push(b),
      onLimit: (m) => said.push(m),
      onRestart: (m) => said.push(m),
      restartMs: 300,
      watchFactory: factory,
    });
    await watcher.start();
    try {
      const emfile = () => Object.assign(new Error('too many open files'), { code: 'EMFILE' });
      made[0]?.emit('error', emfile()); // native watching gives out: polling instead
      await until(() => made.length === 2 && watcher.alive);
      made[1]?.emit('error', emfile()); // polling gives out too: the watcher is down
      expect(watcher.alive).toBe(false);
      expect(watcher.problem).toMatch(/restarting after EMFILE/);
      writeFileSync(join(root, 'a.js'), 'saved while the watcher was down\n');
      await until(() => watcher.alive);
      await until(() => batches.flat().some((e) => e.path === 'a.js'));
      expect(said.join('\n')).toMatch(/restarting in 0.3 s[\s\S]*restarted; 1 file\(s\) saved/);
    } finally {
      await watcher.stop();
    }
  });
});
