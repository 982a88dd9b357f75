/** The parity walk of a warm vitest runner beside cold runs: pass, fail, syntax error, no tests. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { CheckTarget } from '../../automation/check/runner.js';
import type { Verdict } from '../../automation/check/verdict.js';
import { edit } from './project.js';
import { checkers } from './warm-checkers.js';

/** What must not depend on the path a verdict took. */
export const judged = (v: Verdict) => ({
  status: v.status,
  counts: v.counts,
  failures: v.failures.map((f) => ({ name: f.name, file: f.file, message: f.message })),
  test_files: v.test_files ?? [],
  summary: v.summary.replace(' warm,', ',').replace(/, \d+ ms\)$/, ')'),
});

/**
 * Warm and cold verdicts of one project, equal through pass, fail, syntax error (JS and
 * TypeScript), no tests; with `boxed`, a sandboxed warm runner's too.
 */
export async function parity(root: string, boxed: boolean): Promise<void> {
  // Every way meets the same expectations below: the sandbox changes no verdict.
  const { hot, cold } = checkers(root);
  const hots = boxed ? [hot, checkers(root, true).hot] : [hot];
  const math = { scope: 'related' as const, files: ['src/math.js'] };
  const both = async (target: CheckTarget = math) => {
    const c = await cold.check(target);
    for (const warm of hots) {
      const h = await warm.check(target);
      expect(h.command).toMatch(/\(warm\)$/);
      expect(judged(h)).toEqual(judged(c));
    }
    return c;
  };
  expect((await both()).status).toBe('passed');
  edit(root, 'src/math.js', 'return a + b;', 'return a - b;');
  expect(await both()).toMatchObject({ status: 'failed', counts: { failed: 1, passed: 1 } });
  edit(root, 'src/math.js', 'return a - b;', 'return a +* b;');
  const broken = await both();
  expect(broken.status).toBe('error');
  expect(broken.failures[0]?.message).toMatch(/Unexpected token \(src\/math\.js:\d+:\d+\)/);
  edit(root, 'src/math.js', 'return a +* b;', 'return a + b;');
  expect((await both()).status).toBe('passed');
  writeFileSync(join(root, 'src/lonely.js'), 'export const lonely = 1;\n');
  expect((await both({ scope: 'related', files: ['src/lonely.js'] })).status).toBe('no_tests');
  expect((await both({ scope: 'files', files: ['test/math.test.js'] })).status).toBe('passed');
  expect((await both({ scope: 'suite', files: [] })).counts.passed).toBe(2);
  // A TypeScript module that does not transform: the parser's words and place, not the header.
  writeFileSync(join(root, 'src/shout.ts'), "export const shout = (s: string) => s +* '!';\n");
  writeFileSync(
    join(root, 'test/shout.test.ts'),
    "import { expect, it } from 'vitest';\nimport { shout } from '../src/shout';\n\n" +
      "it('shouts', () => {\n  expect(shout('a')).toBe('a!');\n});\n",
  );
  const where = /^Unexpected token \(src\/shout\.ts:1:\d+\)$/;
  const ts = await both({ scope: 'related', files: ['src/shout.ts'] });
  expect(ts.status).toBe('error');
  expect(ts.failures[0]?.message).toMatch(where);
  const suite = await both({ scope: 'suite', files: [] });
  expect(suite).toMatchObject({ status: 'failed', counts: { passed: 2 } });
  expect(suite.failures.map((f) => f.message)).toEqual([expect.stringMatching(where)]);
}
