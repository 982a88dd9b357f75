import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';
import { fmt, machine, percentile, report } from './support.js';

const CHILD = fileURLToPath(new URL('./children/store-writer.mjs', import.meta.url));

it('state store: 4 processes × 250 locked updates', async () => {
  const file = join(tempDir(), 'state.json');
  const t0 = performance.now();
  const runs = await Promise.all(
    Array.from(
      { length: 4 },
      () =>
        new Promise<number[]>((resolve, reject) =>
          execFile(process.execPath, [CHILD, file, '250'], { maxBuffer: 1 << 22 }, (e, out) =>
            e ? reject(e) : resolve(JSON.parse(out)),
          ),
        ),
    ),
  );
  const wall = performance.now() - t0;
  const waits = runs.flat();
  const counter = JSON.parse(readFileSync(file, 'utf8')).stats.counter as number;
  expect(counter).toBe(1000);
  report(
    `State store (${machine()})`,
    [
      'processes × updates',
      'wall s',
      'updates/s',
      'lock wait p50 ms',
      'lock wait p99 ms',
      'lost updates',
    ],
    [
      [
        '4 × 250',
        fmt(wall / 1000, 2),
        fmt(1000 / (wall / 1000), 0),
        fmt(percentile(waits, 50)),
        fmt(percentile(waits, 99)),
        String(1000 - counter),
      ],
    ],
    [
      'Each update: lock, read, validate, write temp, fsync, rename, fsync dir, unlock. ' +
        'Target: ≥ 200 updates/s, 0 lost.',
    ],
  );
});
