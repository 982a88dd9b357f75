import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { watch } from 'chokidar';
import { it } from 'vitest';
import { tempDir } from '../support/tmp.js';
import { benchDaemon } from './daemon-harness.js';
import { fmt, machine, percentile, report, sleep } from './support.js';

it('change → task latency, beside raw chokidar on the same tree', async () => {
  const cwd = tempDir();
  mkdirSync(join(cwd, 'src'));
  for (let i = 0; i < 200; i++)
    writeFileSync(join(cwd, 'src', `f${i}.ts`), `export const v${i} = 0;\n`);
  const DEBOUNCE_MS = 100;
  const d = await benchDaemon(cwd, {
    FILE_WATCH_DEBOUNCE_SECONDS: String(DEBOUNCE_MS / 1000),
    TEST_COMMAND: 'true',
    WATCH_EXTENSIONS: '.ts',
  });
  const raw = watch(cwd, { ignoreInitial: true });
  await new Promise<void>((r) => raw.once('ready', () => r()));
  const rawSeen = new Map<string, number>();
  raw.on('change', (p) => {
    if (!rawSeen.has(p)) rawSeen.set(p, performance.now());
  });

  const ours: number[] = [];
  const rawLat: number[] = [];
  for (let i = 0; i < 40; i++) {
    const file = join(cwd, 'src', `f${i}.ts`);
    const t0 = performance.now();
    writeFileSync(file, `export const v${i} = ${i + 1};\n`);
    const created = await d.waitLine(
      new RegExp(`(Created|Updated pending) task task_[0-9a-f]+ for src/f${i}\\.ts`),
      t0,
    );
    ours.push(created - t0);
    while (!rawSeen.has(file)) await sleep(1);
    rawLat.push(rawSeen.get(file)! - t0);
    await sleep(150);
  }
  await raw.close();
  await d.stop();
  const over = ours.map((o) => o - DEBOUNCE_MS);
  report(
    `Change → task latency (${machine()})`,
    ['measure', 'p50 ms', 'p99 ms'],
    [
      ['raw chokidar event', fmt(percentile(rawLat, 50)), fmt(percentile(rawLat, 99))],
      [
        `fixloop: file write → task in the state file (debounce ${DEBOUNCE_MS} ms)`,
        fmt(percentile(ours, 50)),
        fmt(percentile(ours, 99)),
      ],
      ['fixloop beyond the debounce', fmt(percentile(over, 50)), fmt(percentile(over, 99))],
      [
        'fixloop beyond debounce + raw event',
        fmt(percentile(over, 50) - percentile(rawLat, 50)),
        '–',
      ],
    ],
    [`40 saves, 200-file tree. Target: ≤ 20 ms beyond the debounce at p50.`],
  );
});
