import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { startDemoModel } from '../../automation/demo/model.js';
import { tempDir } from '../support/tmp.js';
import { benchDaemon } from './daemon-harness.js';
import { fmt, machine, mb, report, sleep } from './support.js';

it('burst: 10,000 file events in 2 s (a checkout)', async () => {
  const cwd = tempDir();
  for (let d = 0; d < 100; d++) mkdirSync(join(cwd, 'src', `m${d}`), { recursive: true });
  let modelCalls = 0;
  const model = await startDemoModel(() => modelCalls++);
  const d = await benchDaemon(cwd, {
    FILE_WATCH_DEBOUNCE_SECONDS: '0.5',
    TEST_COMMAND: 'true',
    WATCH_EXTENSIONS: '.ts',
    ANTHROPIC_API_KEY: 'bench',
    ANTHROPIC_BASE_URL: model.url,
  });
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  for (let i = 0; i < 10_000; i++) {
    writeFileSync(join(cwd, 'src', `m${i % 100}`, `f${i}.ts`), `export const x = ${i};\n`);
    if (i % 100 === 99) {
      const due = t0 + ((i + 1) / 10_000) * 2000;
      while (performance.now() < due) await sleep(1);
    }
  }
  const wrote = performance.now() - t0;
  const done = await d.waitLine(/is clean: .*suite/, t0, 120_000);
  await sleep(1500); // anything trailing
  clearInterval(sampler);
  const created = d.lines.filter((l) => /Created task/.test(l.text));
  const bulk = created.filter((l) => /bulk change/.test(l.text)).length;
  await d.stop();
  await model.close();
  report(
    `Burst (${machine()})`,
    [
      'events written',
      'write time s',
      'tasks created',
      'bulk tasks',
      'settled s',
      'peak RSS (daemon + bench)',
      'RSS growth',
      'model calls',
    ],
    [
      [
        '10,000',
        fmt(wrote / 1000, 2),
        String(created.length),
        String(bulk),
        fmt((done - t0) / 1000, 2),
        mb(peak),
        mb(peak - base),
        String(modelCalls),
      ],
    ],
    [
      '100 new directories, 10,000 new files; MAX_BATCH_SIZE 10, debounce 0.5 s; ' +
        'the tests pass, so 0 model calls are expected.',
    ],
  );
});
