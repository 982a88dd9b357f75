import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import { tempDir } from '../support/tmp.js';
import { fmt, machine, mb, median, report } from './support.js';

const CHILD = fileURLToPath(new URL('./children/watch-start.mjs', import.meta.url));

function tree(root: string, dirs: number, perDir: number, prefix: string, ext = '.ts') {
  for (let d = 0; d < dirs; d++) {
    const dir = join(root, prefix, `d${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < perDir; f++) writeFileSync(join(dir, `f${f}${ext}`), '');
  }
}

function measure(mode: 'ours' | 'raw', root: string): Promise<{ readyMs: number; rss: number }> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--expose-gc', CHILD, mode, root],
      { maxBuffer: 1 << 20, timeout: 300_000 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
    ),
  );
}

it('watcher start: time to ready and RSS, beside raw chokidar with no ignores', async () => {
  const plain = tempDir();
  tree(plain, 200, 100, 'src'); // 20,000 files
  const heavy = tempDir();
  tree(heavy, 20, 10, 'src'); // 200 source files
  tree(heavy, 1000, 20, 'node_modules', '.js'); // 20,000 dependency files
  const ignoring = tempDir();
  tree(ignoring, 200, 100, 'src');
  // A generated .gitignore (one line per build output) of 10,000 rules.
  const rules = Array.from({ length: 10_000 }, (_, i) =>
    i % 2 ? `src/d${i % 200}/out-${i}.js` : `*.gen${i}`,
  );
  writeFileSync(join(ignoring, '.gitignore'), `${rules.join('\n')}\n`);
  const rows: Array<Array<string>> = [];
  for (const [name, root] of [
    ['20,000-file source tree', plain],
    ['the same with a 10,000-rule .gitignore', ignoring],
    ['node_modules-heavy tree (200 source + 20,000 dependency files)', heavy],
  ] as const) {
    const ours: Array<{ readyMs: number; rss: number }> = [];
    const raw: Array<{ readyMs: number; rss: number }> = [];
    for (let i = 0; i < 3; i++) {
      raw.push(await measure('raw', root));
      ours.push(await measure('ours', root));
    }
    const [or, rr] = [median(ours.map((x) => x.rss)), median(raw.map((x) => x.rss))];
    const [ot, rt] = [median(ours.map((x) => x.readyMs)), median(raw.map((x) => x.readyMs))];
    rows.push([
      name,
      `${fmt(rt, 0)} ms / ${mb(rr)}`,
      `${fmt(ot, 0)} ms / ${mb(or)}`,
      `${fmt(ot / rt, 2)}× / ${fmt(or / rr, 2)}×`,
    ]);
  }
  report(
    `Watcher start (${machine()})`,
    ['tree', 'raw chokidar: ready / RSS', 'fixloop watcher: ready / RSS', 'ratio time / RSS'],
    rows,
    [
      'Medians of 3 fresh processes each, alternating; ' +
        'RSS of the whole process after ready and a GC.',
      'Target: RSS ≤ 1.15 × raw chokidar, and far below it on the node_modules-heavy tree.',
    ],
  );
});
