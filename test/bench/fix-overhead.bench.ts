import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { doneReply, editReply, planReply } from '../support/fake-anthropic.js';
import { fixHarness } from '../support/fix-harness.js';
import { tempDir } from '../support/tmp.js';
import { fmt, machine, median, report } from './support.js';

it('loop overhead per fix attempt, with an instant fake model', async () => {
  const root = tempDir();
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src/value.js'), 'export const value = "bad";\n');
  const h = await fixHarness({
    root,
    env: {
      TEST_COMMAND: 'false',
      MAX_RETRIES: '9',
      RETRY_MIN_DELAY_MS: '0',
      RETRY_MAX_DELAY_MS: '0',
      CIRCUIT_BREAKER_THRESHOLD: '100',
    },
  });
  const perAttempt: number[] = [];
  // Test time as measured around each run (process start included), so it is not counted as
  // overhead.
  let testMs = 0;
  const check = h.checker.check.bind(h.checker);
  h.checker.check = async (target, signal) => {
    const s = performance.now();
    try {
      return await check(target, signal);
    } finally {
      testMs += performance.now() - s;
    }
  };
  for (let run = 0; run < 5; run++) {
    h.fake.push(planReply({ files: ['src/value.js'] }));
    for (let a = 0; a < 10; a++)
      h.fake.push(
        editReply({
          command: 'str_replace',
          path: 'src/value.js',
          old_str: '"bad"',
          new_str: '"worse"',
        }),
        doneReply(),
      );
    const { task, verdict } = await h.failingTask('src/value.js');
    testMs = 0;
    const t0 = performance.now();
    const result = await h.fix(task, verdict);
    const total = performance.now() - t0;
    const attempts = (result.patch?.attempts as unknown[]).length;
    perAttempt.push((total - testMs) / attempts);
  }
  report(
    `Loop overhead per fix attempt (${machine()})`,
    ['measure', 'median ms'],
    [
      [
        'per attempt: everything but test time (snapshot + journal, sandboxed edit, ' +
          '2 model round trips over HTTP, rollback, state writes)',
        fmt(median(perAttempt)),
      ],
    ],
    [
      '5 tasks × 10 always-wrong attempts, backoff 0, model answers instantly on 127.0.0.1. ' +
        'Target: ≤ 50 ms.',
    ],
  );
});
