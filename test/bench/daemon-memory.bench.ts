/**
 * A long session: the daemon's memory over 2,000 saves (each checked), measured after a full GC at
 * fixed points of the same run: it must stay flat, not creep with the number of saves.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { it } from 'vitest';
import { tempDir } from '../support/tmp.js';
import { benchDaemon } from './daemon-harness.js';
import { fmt, machine, mb, report } from './support.js';

const SAVES = 2000;
const AT = [200, 500, 1000, 1500, 2000];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

it('daemon memory over 2,000 saves', async () => {
  const cwd = tempDir('fixloop-bench-memory-');
  mkdirSync(join(cwd, 'src'));
  writeFileSync(join(cwd, 'package.json'), '{"name":"m","private":true}');
  for (let i = 0; i < 20; i++) writeFileSync(join(cwd, 'src', `f${i}.js`), `// ${i}\n`);
  const d = await benchDaemon(cwd, {
    TEST_COMMAND: 'true',
    FILE_WATCH_DEBOUNCE_SECONDS: '0.02',
  });
  const rows: string[][] = [];
  let first: { rss: number; heap: number } | undefined;
  for (let i = 1; i <= SAVES; i++) {
    const start = performance.now();
    writeFileSync(join(cwd, 'src', `f${i % 20}.js`), `// ${i}\n`);
    await d.waitLine(/is clean|tests failed|no related tests/, start);
    // The lines the harness keeps are the benchmark's, not the daemon's.
    d.lines.splice(0, d.lines.length - 10);
    if (!AT.includes(i)) continue;
    await new Promise((r) => setTimeout(r, 300)); // the task's last write
    gc();
    const { rss, heapUsed } = process.memoryUsage();
    first ??= { rss, heap: heapUsed };
    const per200 = (now: number, then: number) =>
      i === AT[0] ? '–' : mb(((now - then) / (i - (AT[0] ?? 0))) * 200);
    rows.push([
      String(i),
      mb(rss),
      mb(heapUsed),
      per200(rss, first.rss),
      per200(heapUsed, first.heap),
    ]);
  }
  await d.stop();
  const last = rows.at(-1);
  report(
    `Daemon memory over ${SAVES} saves (${machine()})`,
    ['saves', 'RSS', 'heap used', 'RSS growth per 200 saves', 'heap growth per 200 saves'],
    rows,
    [
      'In-process daemon (the benchmark process: its own share is constant), custom runner ' +
        '(`true`), 20 files saved in turn, each save checked; after a full GC. ' +
        `Target: flat (the ~1 MB per 200 saves seen before is gone). Last: ${last?.[3] ?? fmt(NaN)}.`,
    ],
  );
});
