/**
 * The checker judges real projects as their own test setups would: workspace scoping, jest
 * `roots`, the real cause of a failure, crashes without a report, and failures that were already
 * there before the change (at HEAD, or in the previous run outside git). Real runners throughout.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { workingTreeChecker } from '../../automation/app/checker.js';
import { Checker } from '../../automation/check/checker.js';
import { detectSetups } from '../../automation/check/detect.js';
import { nodeProcessRunner } from '../../automation/check/process-runner.js';
import { systemClock } from '../../automation/clock.js';
import { loadConfig } from '../../automation/config/load.js';
import { silentLogger } from '../../automation/log/logger.js';
import { StateStore } from '../../automation/store/store.js';
import { commitAll } from '../support/git.js';
import { edit, makeProject } from '../support/project.js';
import { tempDir } from '../support/tmp.js';

// As the configuration's child environment: without PYTHONDONTWRITEBYTECODE a run writes .pyc
// files, and a same-size edit within the same second would be tested from the stale one.
const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? '',
  CI: 'true',
  PYTHONDONTWRITEBYTECODE: '1',
};

const checkerFor = (root: string) =>
  new Checker({
    root,
    setups: detectSetups(root, undefined),
    processRunner: nodeProcessRunner,
    timeoutMs: 60_000,
    env,
  });

/** The working tree's checker, wired as the daemon wires it (known failures included). */
function judgeFor(root: string, reruns = '0') {
  const config = loadConfig({
    cwd: root,
    env: { ...env, XDG_CACHE_HOME: tempDir('fixloop-cache-'), FLAKY_RERUNS: reruns },
  });
  const store = new StateStore({ file: config.stateFile, lockFile: config.lockFile });
  const judge = workingTreeChecker(config, { store, clock: systemClock, logger: silentLogger });
  return { judge, store };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('judging real project shapes', () => {
  it('runs a workspace as its test script does, not the project that cannot start', async () => {
    const root = makeProject('vitest-monorepo');
    const checker = checkerFor(root);
    const clean = await checker.check({ scope: 'related', files: ['packages/core/src/greet.js'] });
    expect(clean).toMatchObject({ status: 'passed', passed: true, counts: { passed: 1 } });
    expect(clean.command).toContain('--project unit*');

    edit(root, 'packages/core/src/greet.js', 'hello', 'hi');
    const broken = await checker.check({ scope: 'related', files: ['packages/core/src/greet.js'] });
    expect(broken.status).toBe('failed');
    expect(broken.failures).toEqual([
      expect.objectContaining({
        name: 'greets by name',
        file: 'packages/core/test/greet.test.js',
        message: expect.stringMatching(/expected 'hi ada' to be 'hello ada'/),
      }),
    ]);
  });

  it('finds tests when jest roots leave sources out, keeping expected and received', async () => {
    const root = makeProject('jest-roots');
    const checker = checkerFor(root);
    const clean = await checker.check({ scope: 'related', files: ['src/math.js'] });
    // math.test.js imports math.js; format.test.js reaches it through format.js.
    expect(clean).toMatchObject({ status: 'passed', scope: 'related', counts: { passed: 2 } });

    edit(root, 'src/math.js', 'return a + b;', 'return a - b;');
    const broken = await checker.check({ scope: 'related', files: ['src/math.js'] });
    expect(broken.status).toBe('failed');
    const add = broken.failures.find((f) => f.name === 'adds two numbers');
    expect(add).toMatchObject({
      file: 'test/math.test.js',
      message: expect.stringMatching(/toBe\(expected\).*Expected: 5, Received: -1/),
      expected: '5',
      actual: '-1',
    });
    expect(add?.excerpt).toContain('Expected: 5');
    expect(add?.excerpt).not.toMatch(/node_modules/);
  });

  it('keeps the real cause of a pytest import error', async () => {
    const root = makeProject('pytest-project');
    writeFileSync(
      join(root, 'calc/arith.py'),
      'import nonexistent_pkg\n\ndef add(a, b):\n    return a + b\n',
    );
    const verdict = await checkerFor(root).check({ scope: 'related', files: ['calc/arith.py'] });
    expect(verdict.status).toBe('failed');
    expect(verdict.failures[0]).toMatchObject({
      file: 'tests/test_arith.py',
      message: "ModuleNotFoundError: No module named 'nonexistent_pkg'",
    });
  });

  it('keeps the tail of the output when the runner crashed without a report', async () => {
    const root = makeProject('jest-project');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    delete pkg.jest;
    writeFileSync(join(root, 'package.json'), JSON.stringify(pkg));
    writeFileSync(join(root, 'jest.config.js'), "throw new Error('the jest config is broken');\n");
    const verdict = await checkerFor(root).check({ scope: 'related', files: ['src/math.js'] });
    expect(verdict.status).toBe('error');
    expect(verdict.failures[0]?.message).toMatch(
      /jest wrote no report; its output ended: .*the jest config is broken/,
    );
  });

  it('passes a file named like an option as a path', async () => {
    const root = makeProject('vitest-project');
    writeFileSync(join(root, '-t.js'), 'export const t = 1;\n');
    const verdict = await checkerFor(root).check({ scope: 'related', files: ['-t.js'] });
    expect(verdict.status).toBe('no_tests');
    expect(verdict.command).toContain(' ./-t.js ');
  });

  it('sets apart failures that also fail at HEAD, and passes when only those remain', async () => {
    const root = makeProject('vitest-project');
    writeFileSync(
      join(root, 'test/clock.test.js'),
      "import { expect, it } from 'vitest';\nimport { add } from '../src/math.js';\n\n" +
        "it('runs in the UTC+14 zone', () => {\n  expect(add(0, 14)).toBe(-10);\n});\n",
    );
    commitAll(root);
    const { judge } = judgeFor(root);
    const harmless = await judge.check({ scope: 'related', files: ['src/math.js'] });
    expect(harmless).toMatchObject({ status: 'passed', passed: true, failures: [] });
    expect(harmless.known_failures).toEqual([
      expect.objectContaining({ name: 'runs in the UTC+14 zone', file: 'test/clock.test.js' }),
    ]);
    expect(harmless.summary).toMatch(/1 known failure/);

    edit(root, 'src/math.js', 'return a + b;', 'return a - b;');
    const broken = await judge.check({ scope: 'related', files: ['src/math.js'] });
    expect(broken.status).toBe('failed');
    expect(broken.failures.map((f) => f.name)).toEqual(['math adds two numbers']);
    expect(broken.known_failures.map((f) => f.name)).toEqual(['runs in the UTC+14 zone']);
  });

  it('outside git, a failure of the previous run is known, unless told to that file', async () => {
    const root = makeProject('vitest-project');
    edit(root, 'src/math.js', 'return a + b;', 'return a - b;');
    const { judge, store } = judgeFor(root);
    // A state file the daemon wrote, without a history yet (its reads are frozen snapshots).
    await store.update(() => {});
    const math = { scope: 'related' as const, files: ['src/math.js'] };
    const first = await judge.check(math);
    expect(first.baseline_error).toBeUndefined();
    if (!judge.settle) throw new Error('the working tree checker learns from settled tasks');
    expect(first.failures.map((f) => f.name)).toEqual(['math adds two numbers']);
    // The task for math.js ended failed: the failure was told to math.js's change.
    await judge.settle(first, { target: math, attributed: true });
    expect((await judge.check(math)).failures).toHaveLength(1);
    // Another file's change did not cause it: for that change it was already there.
    const other = { scope: 'related' as const, files: ['test/math.test.js'] };
    const elsewhere = await judge.check(other);
    expect(elsewhere).toMatchObject({ status: 'passed', failures: [] });
    expect(elsewhere.known_failures.map((f) => f.name)).toEqual(['math adds two numbers']);
  });

  it('runs pytest projects whose addopts say --cov (--no-cov, never -p no:cov)', async () => {
    const root = makeProject('pytest-project');
    // Stands for pytest-cov: the options it adds, which addopts then use.
    writeFileSync(
      join(root, 'conftest.py'),
      'def pytest_addoption(parser):\n' +
        "    parser.addoption('--cov', action='append', default=[])\n" +
        "    parser.addoption('--no-cov', action='store_true')\n",
    );
    writeFileSync(join(root, 'pytest.ini'), '[pytest]\naddopts = --cov=calc\n');
    // Only the test environment may keep Python from writing .pyc files, not fixloop's own.
    vi.stubEnv('PYTHONDONTWRITEBYTECODE', undefined);
    const checker = checkerFor(root);
    const clean = await checker.check({ scope: 'related', files: ['calc/arith.py'] });
    expect(clean).toMatchObject({ status: 'passed', counts: { passed: 2 } });
    expect(clean.command).toContain('--no-cov');
    writeFileSync(join(root, 'calc/arith.py'), 'def add(a, b):\n    return a - b\n');
    const broken = await checker.check({ scope: 'related', files: ['calc/arith.py'] });
    expect(broken.status).toBe('failed');
    // No probe or run wrote .pyc files into the project.
    expect(existsSync(join(root, '__pycache__'))).toBe(false);
    expect(existsSync(join(root, 'calc/__pycache__'))).toBe(false);
  });

  it('never calls a run clean when nothing could run, even as at HEAD', async () => {
    const root = makeProject('jest-project');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    delete pkg.jest;
    writeFileSync(join(root, 'package.json'), JSON.stringify(pkg));
    writeFileSync(join(root, 'jest.config.js'), "throw new Error('the jest config is broken');\n");
    commitAll(root);
    const verdict = await judgeFor(root).judge.check({ scope: 'related', files: ['src/math.js'] });
    expect(verdict).toMatchObject({ passed: false, status: 'error', failures: [] });
    expect(verdict.known_failures[0]?.message).toMatch(/the jest config is broken/);
  });

  it('sets a flaky test aside: it failed once and passed when run again', async () => {
    const root = makeProject('vitest-project');
    const marker = join(root, 'ran-once.txt');
    writeFileSync(
      join(root, 'test/timing.test.js'),
      "import { existsSync, writeFileSync } from 'node:fs';\n" +
        "import { expect, it } from 'vitest';\n" +
        "import { add } from '../src/math.js';\n\nit('finishes in time', () => {\n" +
        `  const first = !existsSync(${JSON.stringify(marker)});\n` +
        `  writeFileSync(${JSON.stringify(marker)}, 'x');\n` +
        '  expect(first ? 999 : add(1, 1)).toBe(2);\n});\n',
    );
    const verdict = await judgeFor(root, '1').judge.check({
      scope: 'related',
      files: ['src/math.js'],
    });
    expect(verdict).toMatchObject({ status: 'passed', passed: true, failures: [] });
    expect(verdict.known_failures).toEqual([]);
    expect(verdict.flaky).toEqual([
      expect.objectContaining({ name: 'finishes in time', flaky: true }),
    ]);
    expect(verdict.summary).toMatch(/1 flaky/);
  });

  it('keeps the cause of a jest suite that failed to run, not its header', async () => {
    const root = makeProject('jest-project');
    writeFileSync(
      join(root, '__tests__/broken.test.js'),
      "const { gone } = require('../src/gone.js');\ntest('x', () => expect(gone).toBe(1));\n",
    );
    const verdict = await checkerFor(root).check({
      scope: 'files',
      files: ['__tests__/broken.test.js'],
    });
    expect(verdict.failures[0]?.message).toMatch(/Cannot find module '..\/src\/gone.js'/);
  });

  it('keeps the cause when pytest itself fails before any test, never calling it known', async () => {
    const root = makeProject('pytest-project');
    commitAll(root);
    // pytest dies while loading the project (exit 1, no FAILED line), as when a plugin it
    // imports is the library being edited.
    writeFileSync(
      join(root, 'conftest.py'),
      'import sys\nsys.stderr.write("boom: the plugin broke\\n")\nsys.exit(1)\n',
    );
    const verdict = await judgeFor(root).judge.check({
      scope: 'related',
      files: ['calc/arith.py'],
    });
    expect(verdict).toMatchObject({ passed: false, status: 'error', known_failures: [] });
    expect(verdict.failures[0]?.message).toMatch(/boom: the plugin broke/);
  });

  it('finds a new failure among more known failures than a record keeps', async () => {
    const root = makeProject('vitest-project');
    const known = Array.from(
      { length: 25 },
      (_, i) => `it('was already broken ${i}', () => {\n  expect(add(${i}, 1)).toBe(-1);\n});\n`,
    ).join('');
    writeFileSync(
      join(root, 'test/old.test.js'),
      `import { expect, it } from 'vitest';\nimport { add } from '../src/math.js';\n\n${known}`,
    );
    commitAll(root);
    edit(root, 'src/math.js', 'return a * b;', 'return a * b + 1;');
    const verdict = await judgeFor(root).judge.check({ scope: 'related', files: ['src/math.js'] });
    expect(verdict.status).toBe('failed');
    expect(verdict.failures.map((f) => f.name)).toEqual(['math multiplies two numbers']);
    expect(verdict.known_failures).toHaveLength(25);
  });
});
