/** The warm jest runner's suite, run on one jest major by each file that calls it. */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckWatch } from '../../automation/check/checker.js';
import type { CheckTarget } from '../../automation/check/runner.js';
import type { Verdict } from '../../automation/check/verdict.js';
import { processesIn, untilNoProcessIn } from './processes.js';
import { edit, type JestMajor, makeProject } from './project.js';
import { checkers, closeAfterEach } from './warm-checkers.js';

/** What must not depend on the path a verdict took. */
const judged = (v: Verdict) => ({
  status: v.status,
  counts: v.counts,
  failures: v.failures.map((f) => ({ name: f.name, file: f.file, message: f.message })),
  test_files: [...(v.test_files ?? [])].sort(),
  summary: v.summary.replace(' warm,', ',').replace(/, \d+ ms\)$/, ')'),
});

/** The warm child working in `root` (its child.js process), if one is alive. */
const warmChild = (root: string) =>
  processesIn(root).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('child.js');
    } catch {
      return false;
    }
  });

/** The warm jest runner's tests on jest `jest` (30 in `npm test`, 29 in the long scenarios). */
export function warmJestSuite(jest: JestMajor): void {
  describe(`the warm jest runner, jest ${jest}`, () => {
    closeAfterEach();

    const project = () => makeProject('jest-project', { jest });

    // Sandboxed and plain warm runs give the verdicts of a plain cold run (CONTRACT §8); the sandbox
    // is jest's version's business on neither side, so it is shown on the current one.
    const ways = jest === 30 ? 'plain and sandboxed' : 'plain';
    it(`${ways}: give the verdicts of the cold run: pass, fail, syntax error, no tests`, async () => {
      const root = project();
      const { hot, cold } = checkers(root);
      const hots = jest === 30 ? [hot, checkers(root, true).hot] : [hot];
      const math = { scope: 'related' as const, files: ['src/math.js'] };
      const both = async (target: CheckTarget = math) => {
        const c = await cold.check(target);
        expect(c.command).not.toMatch(/warm/);
        for (const warm of hots) {
          const h = await warm.check(target);
          expect(h.command).toMatch(/\(warm\)$/);
          expect(judged(h)).toEqual(judged(c));
        }
        return c;
      };
      expect(await both()).toMatchObject({ status: 'passed', counts: { passed: 1 } });
      edit(root, 'src/math.js', 'return a + b;', 'return a - b;');
      const failed = await both();
      expect(failed).toMatchObject({ status: 'failed', counts: { failed: 1 } });
      expect(failed.failures[0]?.message).toMatch(/Expected: 5/);
      edit(root, 'src/math.js', 'return a - b;', 'return a +* b;');
      const broken = await both();
      expect(broken.status).not.toBe('passed');
      expect(broken.failures[0]?.message).toMatch(/unexpected token/i);
      edit(root, 'src/math.js', 'return a +* b;', 'return a + b;');
      expect((await both()).status).toBe('passed');
      expect((await both({ scope: 'related', files: ['src/unused.js'] })).status).toBe('no_tests');
      const byPath = { scope: 'files' as const, files: ['__tests__/math.test.js'] };
      expect((await both(byPath)).status).toBe('passed');
      expect((await both({ scope: 'suite', files: [] })).counts.passed).toBe(1);
    }, 120_000);

    it('sees files saved just before the check: a new test, a deleted and restored module', async () => {
      const root = project();
      const { hot, cold } = checkers(root);
      const math = { scope: 'related' as const, files: ['src/math.js'] };
      expect((await hot.check(math)).status).toBe('passed');
      // Written right before the check: the haste map's watcher may not have seen them yet.
      writeFileSync(join(root, 'src/twice.js'), 'module.exports = { twice: (n) => n * 2 };\n');
      writeFileSync(
        join(root, '__tests__/twice.test.js'),
        "const { twice } = require('../src/twice');\ntest('doubles', () => expect(twice(2)).toBe(4));\n",
      );
      const twice = { scope: 'related' as const, files: ['src/twice.js'] };
      const [c, h] = [await cold.check(twice), await hot.check(twice)];
      expect(judged(h)).toEqual(judged(c));
      expect(h).toMatchObject({ status: 'passed', test_files: ['__tests__/twice.test.js'] });
      rmSync(join(root, 'src/twice.js'));
      expect((await hot.check({ scope: 'suite', files: [] })).status).not.toBe('passed');
      writeFileSync(join(root, 'src/twice.js'), 'module.exports = { twice: (n) => n * 3 };\n');
      const [c2, h2] = [await cold.check(twice), await hot.check(twice)];
      expect(judged(h2)).toEqual(judged(c2));
      expect(h2).toMatchObject({ status: 'failed', command: expect.stringMatching(/warm/) });
    }, 120_000);

    it('runs with NODE_ENV=test, and starts a new instance when the jest config changes', async () => {
      const root = project();
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      delete pkg.jest;
      writeFileSync(join(root, 'package.json'), JSON.stringify(pkg));
      const config = (answer: string) =>
        `module.exports = { testEnvironment: 'node', globals: { ANSWER: '${answer}' } };\n`;
      writeFileSync(join(root, 'jest.config.js'), config('1'));
      writeFileSync(
        join(root, '__tests__/env.test.js'),
        "test('reads the config', () => expect(globalThis.ANSWER).toBe('1'));\n",
      );
      // As jest's own bin sets it: configs, transforms and tests may read it (a babel config may).
      writeFileSync(
        join(root, '__tests__/node-env.test.js'),
        "test('runs as test', () => expect(process.env.NODE_ENV).toBe('test'));\n",
      );
      // The script's `--color=true` (jest-extended's): matchers print colours in the warm run too.
      pkg.scripts = { test: 'jest --color=true' };
      writeFileSync(join(root, 'package.json'), JSON.stringify(pkg));
      writeFileSync(
        join(root, '__tests__/colour.test.js'),
        "test('colours', () => expect(require('chalk').level).toBeGreaterThan(0));\n",
      );
      const { hot, cold, logged } = checkers(root);
      const nodeEnv = { scope: 'files' as const, files: ['__tests__/node-env.test.js'] };
      expect(await hot.check(nodeEnv)).toMatchObject({ status: 'passed', warm: true });
      const colour = { scope: 'files' as const, files: ['__tests__/colour.test.js'] };
      expect(await cold.check(colour)).toMatchObject({ status: 'passed' });
      expect(await hot.check(colour)).toMatchObject({ status: 'passed', warm: true });
      const target = { scope: 'files' as const, files: ['__tests__/env.test.js'] };
      expect(await hot.check(target)).toMatchObject({ status: 'passed', warm: true });
      writeFileSync(join(root, 'jest.config.js'), config('2'));
      const after = await hot.check(target);
      expect(after).toMatchObject({ status: 'failed', command: expect.stringMatching(/warm/) });
      expect(after.failures[0]?.message).toMatch(/Expected: "1"/);
      expect(logged).toContain('warm jest runner restarted');
    }, 120_000);

    it('names the test a cut-short run was still running (its progress reporter)', async () => {
      const root = project();
      writeFileSync(
        join(root, '__tests__/loop.test.js'),
        "test('passes first', () => expect(1).toBe(1));\ntest('spins forever', () => {\n" +
          '  for (;;) {}\n});\n',
      );
      const { hot } = checkers(root);
      const controller = new AbortController();
      const watch: CheckWatch = {};
      // Cut when the live view shows the hung test started (state, not a guess at timing).
      const poll = setInterval(() => {
        if (/spins forever/.test(JSON.stringify(watch.running?.() ?? []))) controller.abort();
      }, 50);
      const target = { scope: 'files' as const, files: ['__tests__/loop.test.js'] };
      const verdict = await hot
        .check(target, controller.signal, watch)
        .finally(() => clearInterval(poll));
      expect(verdict).toMatchObject({ status: 'error', warm: true });
      expect(verdict.running).toEqual([
        expect.objectContaining({ name: 'spins forever', file: '__tests__/loop.test.js' }),
      ]);
      expect(await untilNoProcessIn(root)).toEqual([]); // the cut run's runner is gone
    }, 120_000);

    it('runs cold when the warm runner dies mid-run, and leaves no process behind', async () => {
      const root = project();
      // The test waits for its release, so the runner is killed while it runs, whatever the load.
      writeFileSync(
        join(root, '__tests__/slow.test.js'),
        "const { existsSync, writeFileSync } = require('node:fs');\n" +
          "test('waits for its release', async () => {\n" +
          "  writeFileSync('started.txt', 'yes');\n" +
          "  while (!existsSync('released.txt')) await new Promise((r) => setTimeout(r, 20));\n" +
          '}, 60000);\n',
      );
      const { hot, warm, logged } = checkers(root);
      const target = { scope: 'files' as const, files: ['__tests__/slow.test.js'] };
      const checking = hot.check(target);
      while (!existsSync(join(root, 'started.txt'))) await new Promise((r) => setTimeout(r, 20));
      const pid = warmChild(root);
      expect(pid).toBeDefined();
      process.kill(pid as number, 'SIGKILL');
      writeFileSync(join(root, 'released.txt'), 'go');
      const verdict = await checking;
      expect(verdict).toMatchObject({ status: 'passed', counts: { passed: 1 } });
      expect(verdict.command).not.toMatch(/warm/); // the cold run gave it
      expect(logged).toContain('warm jest runner failed; this check runs cold');
      const next = await hot.check(target);
      expect(next).toMatchObject({ status: 'passed', command: expect.stringMatching(/warm/) });
      await warm.close();
      expect(await untilNoProcessIn(root)).toEqual([]);
    }, 120_000);
  });
}
