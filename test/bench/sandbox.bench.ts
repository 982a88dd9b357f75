/**
 * The sandbox's cost on a check: the same related check, cold and on the warm runner, run plain
 * and in bubblewrap, alternating, in one run. Target: ≤ 50 ms more per check (median).
 */
import { it } from 'vitest';
import { silentLogger } from '../../automation/log/logger.js';
import type { Wrap } from '../../automation/sandbox/runner.js';
import { makeProject } from '../support/project.js';
import { isolationFor } from '../support/sandbox.js';
import { coldAndWarm } from '../support/warm-checkers.js';
import { fmt, machine, median, report } from './support.js';

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CI: 'true' };
const target = { scope: 'related' as const, files: ['src/math.js'] };

function checkers(root: string, wrap?: Wrap) {
  return coldAndWarm(root, { env, logger: silentLogger, wrap });
}

async function timed(check: () => Promise<{ status: string }>): Promise<number> {
  const t0 = performance.now();
  const verdict = await check();
  if (verdict.status !== 'passed') throw new Error(`the check ${verdict.status}`);
  return performance.now() - t0;
}

it('sandboxed checks beside plain ones, cold and warm', async () => {
  const root = makeProject('vitest-project');
  const plain = checkers(root);
  const boxed = checkers(root, isolationFor(root).tests(root));
  const t = {
    cold: [] as number[],
    coldBoxed: [] as number[],
    hot: [] as number[],
    hotBoxed: [] as number[],
  };
  // Warm both runners and the file cache first.
  for (const c of [plain.cold, boxed.cold, plain.hot, boxed.hot]) await c.check(target);
  for (let i = 0; i < 10; i++) {
    t.cold.push(await timed(() => plain.cold.check(target)));
    t.coldBoxed.push(await timed(() => boxed.cold.check(target)));
    t.hot.push(await timed(() => plain.hot.check(target)));
    t.hotBoxed.push(await timed(() => boxed.hot.check(target)));
  }
  await Promise.all([plain.warm.close(), boxed.warm.close()]);
  const row = (name: string, a: number[], b: number[]) => [
    name,
    fmt(median(a), 0),
    fmt(median(b), 0),
    fmt(median(b) - median(a), 0),
    fmt(median(b) / median(a), 2),
  ];
  report(
    `Sandbox cost per check (${machine()})`,
    ['check', 'plain ms', 'bubblewrap ms', 'difference ms', 'ratio'],
    [
      row('cold `vitest related` (a new vitest per check)', t.cold, t.coldBoxed),
      row('warm runner (started once, in the sandbox)', t.hot, t.hotBoxed),
    ],
    ['10 runs each, alternating, sample vitest project. Target: ≤ 50 ms more per check.'],
  );
});
