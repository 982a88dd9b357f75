import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../automation/clock.js';
import { writeFileAtomic } from '../../automation/fs/atomic-write.js';
import { silentLogger } from '../../automation/log/logger.js';
import type { FileEvent } from '../../automation/watch/batcher.js';
import { SelfWrites } from '../../automation/watch/self-writes.js';
import { ProjectWatcher } from '../../automation/watch/watcher.js';
import { tempDir } from '../support/tmp.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
});
