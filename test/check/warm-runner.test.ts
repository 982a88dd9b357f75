/**
 * The warm vitest runner: verdicts equal to the cold run's, a restart when the config changes, a
 * cold run when the warm one dies mid-run, and no process left behind.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checker } from '../../automation/check/checker.js';
import { detectSetups } from '../../automation/check/detect.js';
import { nodeProcessRunner } from '../../automation/check/process-runner.js';
import { WarmRunners } from '../../automation/check/warm/warm-runners.js';
import { commandOf, processesIn, untilAtMostIn } from '../support/processes.js';
import { makeProject } from '../support/project.js';
import { judged, parity } from '../support/vitest-parity.js';
import { checkers, closeAfterEach, closeLater, warmTestEnv } from '../support/warm-checkers.js';

const env = warmTestEnv;

closeAfterEach();

describe('the warm vitest runner', () => {
  // Sandboxed and plain warm runs give the verdicts of a plain cold run (CONTRACT §8); sandboxed
  // cold runs are shown in test/trust/sandbox.test.ts.
  it(
    'plain and sandboxed: give the verdicts of the cold run: pass, fail, syntax error, no related tests',
    async () => parity(makeProject('vitest-project'), true),
    90_000,
  );

  // The project above runs vitest 5 (this repo's); 4.1, the oldest kept warm, is shown the same
  // way in warm-vitest4.long.test.ts (npm run test:long).
  it('runs vitest 5 in the sample projects', () => {
    const root = makeProject('vitest-project');
    const version = readFileSync(join(root, 'node_modules/vitest/package.json'), 'utf8');
    expect(JSON.parse(version).version).toMatch(/^5\./);
  });

  it('fails a run whose tests pass but leave an unhandled error, as the CLI does', async () => {
    const root = makeProject('vitest-project');
    const { hot, cold } = checkers(root);
    writeFileSync(
      join(root, 'test/leak.test.js'),
      "import { it } from 'vitest';\n" +
        "it('passes but leaks', () => { Promise.reject(new Error('nobody awaits me')); });\n",
    );
    const target = { scope: 'files' as const, files: ['test/leak.test.js'] };
    const [c, h] = [await cold.check(target), await hot.check(target)];
    expect(judged(h)).toEqual(judged(c));
    expect(h).toMatchObject({ status: 'failed', counts: { passed: 1 } });
    expect(h.failures[0]?.message).toMatch(/nobody awaits me/);
  }, 60_000);

  it('starts a new instance when the vitest config changes', async () => {
    const root = makeProject('vitest-project');
    const config = (answer: string) =>
      `export default { test: { env: { ANSWER: '${answer}' } } };\n`;
    writeFileSync(join(root, 'vitest.config.js'), config('1'));
    writeFileSync(
      join(root, 'test/env.test.js'),
      "import { expect, it } from 'vitest';\n" +
        "it('reads the config', () => expect(process.env.ANSWER).toBe('1'));\n",
    );
    const { hot, logged } = checkers(root);
    const target = { scope: 'files' as const, files: ['test/env.test.js'] };
    expect((await hot.check(target)).status).toBe('passed');
    writeFileSync(join(root, 'vitest.config.js'), config('2'));
    const after = await hot.check(target);
    expect(after).toMatchObject({ status: 'failed', command: expect.stringMatching(/warm/) });
    expect(after.failures[0]?.message).toMatch(/expected '2' to be '1'/);
    expect(logged).toContain('warm vitest runner restarted');
  }, 60_000);

  it('runs cold when the warm runner dies mid-run, and leaves no process behind', async () => {
    const root = makeProject('vitest-project');
    // The test tells which process runs it (a pool worker, whose parent is the warm runner).
    writeFileSync(
      join(root, 'test/slow.test.js'),
      "import { writeFileSync } from 'node:fs';\nimport { expect, it } from 'vitest';\n" +
        "it('takes its time', async () => {\n" +
        "  writeFileSync('ran-by.txt', String(process.ppid), { flag: 'a' });\n" +
        '  await new Promise((r) => setTimeout(r, 1500));\n' +
        '  expect(1).toBe(1);\n});\n',
    );
    const { hot, warm, logged } = checkers(root);
    const target = { scope: 'files' as const, files: ['test/slow.test.js'] };
    const checking = hot.check(target);
    const marker = join(root, 'ran-by.txt');
    const runnerPid = () => (existsSync(marker) ? Number(readFileSync(marker, 'utf8')) : 0);
    while (!(runnerPid() > 1)) await new Promise((r) => setTimeout(r, 20));
    expect(runnerPid()).not.toBe(process.pid);
    process.kill(runnerPid(), 'SIGKILL');
    const verdict = await checking;
    expect(verdict).toMatchObject({ status: 'passed', counts: { passed: 1 } });
    expect(verdict.command).not.toMatch(/warm/); // the cold run gave it
    expect(logged).toContain('warm vitest runner failed; this check runs cold');
    // The next check is warm again, from a new runner.
    const next = await hot.check(target);
    expect(next).toMatchObject({ status: 'passed', command: expect.stringMatching(/warm/) });
    await warm.close();
    expect(processesIn(root)).toEqual([]);
  }, 60_000);

  it('holds no test worker and no vitest watchdog between checks, only itself', async () => {
    const root = makeProject('vitest-project');
    const { hot } = checkers(root);
    const target = { scope: 'files' as const, files: ['test/math.test.js'] };
    for (let i = 0; i < 2; i++) {
      const verdict = await hot.check(target);
      expect(verdict).toMatchObject({ status: 'passed', command: expect.stringMatching(/warm/) });
      // vitest 5 keeps a watchdog process beside its pool; the warm runner closes the pool.
      const left = await untilAtMostIn(root, 1);
      expect(left.map(commandOf)).toEqual([expect.stringMatching(/child\.js/)]);
    }
  }, 60_000);

  it('relates a deleted and restored file to its tests again, as the cold run does', async () => {
    const root = makeProject('vitest-project');
    // Extensionless TypeScript imports, as most TypeScript projects write them.
    const util = 'export const twice = (n: number): number => n * 2;\n';
    writeFileSync(join(root, 'src/util.ts'), util);
    writeFileSync(
      join(root, 'test/util.test.ts'),
      "import { expect, it } from 'vitest';\nimport { twice } from '../src/util';\n" +
        "it('doubles', () => expect(twice(2)).toBe(4));\n",
    );
    const { hot, cold } = checkers(root);
    const related = { scope: 'related' as const, files: ['src/util.ts'] };
    const again = { scope: 'files' as const, files: ['test/util.test.ts'] };
    expect((await hot.check(again)).status).toBe('passed');
    rmSync(join(root, 'src/util.ts'));
    // A deleted source file runs the suite, and its failing test file runs again alone (as the
    // known-failure judge does): both while the import is missing.
    expect((await hot.check({ scope: 'suite', files: [] })).status).not.toBe('passed');
    expect((await hot.check(again)).status).not.toBe('passed');
    writeFileSync(join(root, 'src/util.ts'), util);
    const [c, h] = [await cold.check(related), await hot.check(related)];
    expect(h.command).toMatch(/\(warm\)$/);
    expect(judged(h)).toEqual(judged(c));
    expect(h.test_files).toContain('test/util.test.ts');
    // The edge stays known: a break in the restored file is caught.
    writeFileSync(join(root, 'src/util.ts'), util.replace('n * 2', 'n * 3'));
    expect((await hot.check(related)).status).toBe('failed');
  }, 60_000);

  it('starts a new instance when a vitest config appears where there was none', async () => {
    const root = makeProject('vitest-project');
    const { hot, cold, logged } = checkers(root);
    const math = { scope: 'related' as const, files: ['src/math.js'] };
    expect((await hot.check(math)).status).toBe('passed');
    writeFileSync(
      join(root, 'vitest.config.js'),
      "export default { test: { include: ['nothing/**/*.test.js'] } };\n",
    );
    const [c, h] = [await cold.check(math), await hot.check(math)];
    expect(judged(h)).toEqual(judged(c));
    expect(h.status).toBe('no_tests');
    expect(logged).toContain('warm vitest runner restarted');
  }, 60_000);

  it('says once that it runs cold, however many checks waited for the failed start', async () => {
    const root = makeProject('vitest-project');
    // A child that answers as the real one does for a vitest older than 4.1.
    const script = join(root, 'old-vitest-child.mjs');
    writeFileSync(
      script,
      "process.send({ type: 'fatal', error: 'vitest 3.2.4 lacks runTestSpecifications " +
        "(the warm runner needs vitest 4.1 or later)', permanent: true });\n" +
        'process.exit(1);\n',
    );
    const said: string[] = [];
    const warm = new WarmRunners({
      env,
      script,
      maxRssBytes: 2 ** 31,
      logger: { debug() {}, error() {}, info() {}, warn() {} },
      onGiveUp: (message) => said.push(message),
    });
    closeLater(warm);
    const checker = new Checker({
      root,
      setups: detectSetups(root, undefined),
      processRunner: nodeProcessRunner,
      timeoutMs: 60_000,
      env,
      warm,
    });
    checker.prepare();
    const target = { scope: 'related' as const, files: ['src/math.js'] };
    const verdicts = [await checker.check(target), await checker.check(target)];
    expect(verdicts.map((v) => [v.status, v.warm ?? false])).toEqual([
      ['passed', false],
      ['passed', false],
    ]);
    expect(said).toEqual([
      'vitest runs cold from now on (the warm runner failed: the warm vitest runner did not ' +
        'start: vitest 3.2.4 lacks runTestSpecifications (the warm runner needs vitest 4.1 or later))',
    ]);
  });
});
