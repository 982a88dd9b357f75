/** A really full disk for tests: a tiny tmpfs, where this machine allows mounting one (root). */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { tempDir } from './tmp.js';

const mounted: string[] = [];

afterEach(() => {
  for (const dir of mounted.splice(0)) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
});

/** Whether tmpfs mounts work here (they need root and a capable container). */
export const canMount: boolean = (() => {
  if (process.getuid?.() !== 0) return false;
  const dir = tempDir('fixloop-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A mounted tmpfs of `kb` KiB; `fill()` takes every free byte, `free()` gives them back. */
export function smallDisk(kb = 64) {
  const dir = tempDir('fixloop-small-disk-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir]);
  mounted.push(dir);
  const filler = join(dir, 'filler');
  return {
    dir,
    fill(): void {
      // Grow a file until the disk refuses: then nothing else fits.
      const chunk = Buffer.alloc(4096, 120);
      let size = 0;
      try {
        for (;;) {
          writeFileSync(filler, chunk, { flag: 'a' });
          size += chunk.length;
        }
      } catch {
        /* full */
      }
      if (size === 0) throw new Error('the small disk could not be filled');
    },
    free(): void {
      rmSync(filler, { force: true });
    },
  };
}
