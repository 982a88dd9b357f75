import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'vitest';
import { edit, makeProject } from '../support/project.js';
import { benchDaemon } from './daemon-harness.js';
import { fmt, machine, median, report, sleep } from './support.js';

function direct(cwd: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) =>
    execFile(
      join(cwd, 'node_modules/.bin/vitest'),
      ['related', 'src/math.js', '--run'],
      { cwd, env: { ...process.env, CI: 'true', NO_COLOR: '1' } },
      (error) => (error ? reject(error) : resolve(performance.now() - t0)),
    ),
  );
}

it('clean check: change → clean verdict, beside vitest related run directly', async () => {
  const cwd = makeProject('vitest-project');
  const d = await benchDaemon(cwd, { FILE_WATCH_DEBOUNCE_SECONDS: '0' });
  const ours: number[] = [];
  const theirs: number[] = [];
  await direct(cwd); // warm the file cache for both
  for (let i = 0; i < 10; i++) {
    theirs.push(await direct(cwd));
    const t0 = performance.now();
    edit(
      cwd,
      'src/math.js',
      i % 2 ? '// touched\n' : 'export function add',
      i % 2 ? '' : '// touched\nexport function add',
    );
    ours.push((await d.waitLine(/is clean: /, t0)) - t0);
    await sleep(200);
  }
  await d.stop();
  report(
    `Clean check (${machine()})`,
    ['measure', 'median ms', 'ratio'],
    [
      ['`vitest related src/math.js --run`, run directly', fmt(median(theirs), 0), '1.00'],
      [
        'fixloop: save → `clean` verdict recorded (debounce 0)',
        fmt(median(ours), 0),
        fmt(median(ours) / median(theirs), 2),
      ],
    ],
    ['10 runs each, alternating, on the sample vitest project. Target: ≤ 1.1 × direct vitest.'],
  );
});
