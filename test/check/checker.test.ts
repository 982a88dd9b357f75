import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checker } from '../../automation/check/checker.js';
import { detectRunner, detectSetups } from '../../automation/check/detect.js';
import { nodeProcessRunner } from '../../automation/check/process-runner.js';
import { edit, makeProject } from '../support/project.js';
import { tempDir } from '../support/tmp.js';

const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? '',
  CI: 'true',
  NO_COLOR: '1',
  PYTHONDONTWRITEBYTECODE: '1',
};

/** True while `pid` exists and is not a zombie (a container's init may be slow to reap orphans). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

function checkerFor(root: string, testCommand?: string, timeoutMs = 60_000) {
  return new Checker({
    root,
    setups: detectSetups(root, testCommand),
    processRunner: nodeProcessRunner,
    timeoutMs,
    env,
  });
}

describe('runner detection', () => {
  it('recognises each sample project and honours TEST_COMMAND', () => {
    expect(detectRunner(makeProject('vitest-project'), undefined)?.runner.name).toBe('vitest');
    expect(detectRunner(makeProject('jest-project'), undefined)?.runner.name).toBe('jest');
    expect(detectRunner(makeProject('pytest-project'), undefined)?.runner.name).toBe('pytest');
    expect(detectRunner(makeProject('vitest-project'), 'make test')).toMatchObject({
      runner: { name: 'custom' },
      reason: 'TEST_COMMAND is set',
    });
    const empty = tempDir();
    expect(detectRunner(empty, undefined)).toBeUndefined();
    writeFileSync(join(empty, 'go.mod'), 'module x\n');
    expect(detectRunner(empty, undefined)?.runner.name).toBe('go');
    writeFileSync(
      join(empty, 'package.json'),
      JSON.stringify({ scripts: { test: 'node --test' } }),
    );
    expect(detectRunner(empty, undefined)?.runner.name).toBe('node');
  });

  it('with both vitest and jest installed, takes the one the script names or the one configured', () => {
    const both = (scripts: object, files: string[] = []) => {
      const dir = tempDir();
      const devDependencies = { vitest: '^0.34.0', jest: '^29.7.0' };
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts, devDependencies }));
      for (const f of files) writeFileSync(join(dir, f), 'module.exports = {};\n');
      return detectRunner(dir, undefined)?.runner.name;
    };
    // testing-library/jest-dom: `kcd-scripts test`, a jest.config.js, vitest a stray dependency.
    expect(both({ test: 'kcd-scripts test' }, ['jest.config.js'])).toBe('jest');
    expect(both({ test: 'jest --ci' })).toBe('jest');
    expect(both({ test: 'vitest run' }, ['jest.config.js'])).toBe('vitest');
    expect(both({ test: 'kcd-scripts test' })).toBe('vitest');
    expect(both({ test: 'x' }, ['jest.config.js', 'vitest.config.ts'])).toBe('vitest');
  });
});

describe('vitest', () => {
  it('passes the related tests of a source file', async () => {
    const root = makeProject('vitest-project');
    const v = await checkerFor(root).check({ scope: 'related', files: ['src/math.js'] });
    expect(v).toMatchObject({
      status: 'passed',
      passed: true,
      runner: 'vitest',
      counts: { passed: 2, failed: 0, total: 2 },
      failures: [],
    });
  });

  it('names the failing test, its file and the message', async () => {
    const root = makeProject('vitest-project');
    edit(root, 'src/math.js', 'return a + b;', 'return a - b;');
    const v = await checkerFor(root).check({ scope: 'related', files: ['src/math.js'] });
    expect(v.status).toBe('failed');
    expect(v.passed).toBe(false);
    expect(v.counts).toMatchObject({ failed: 1, passed: 1 });
    expect(v.failures).toHaveLength(1);
    expect(v.failures[0]).toMatchObject({
      name: 'math adds two numbers',
      file: 'test/math.test.js',
    });
    expect(v.failures[0]?.message).toMatch(/expected -1 to be 5/);
    expect(v.summary).toMatch(/^1 failed, 1 passed \(vitest, related, \d+ ms\)$/);
  });

  it('reports a test file that fails to import as a failure, though 0 tests failed', async () => {
    const root = makeProject('vitest-project');
    edit(root, 'test/math.test.js', "'../src/math.js'", "'../src/missing.js'");
    const v = await checkerFor(root).check({ scope: 'related', files: ['test/math.test.js'] });
    expect(v.status).toBe('failed');
    expect(v.counts.failed).toBe(0);
    expect(v.failures[0]?.name).toBe('test/math.test.js failed to run');
    expect(v.failures[0]?.message).toMatch(/missing\.js/);
  });

  it('treats "no related tests" as no_tests, not a failure', async () => {
    const root = makeProject('vitest-project');
    const v = await checkerFor(root).check({ scope: 'related', files: ['src/greeting.js'] });
    expect(v).toMatchObject({ status: 'no_tests', passed: true, counts: { total: 0 } });
  });
});

describe('jest', () => {
  it('passes, fails with the failing test named, and finds no related tests', async () => {
    const root = makeProject('jest-project');
    const checker = checkerFor(root);
    expect(await checker.check({ scope: 'related', files: ['src/math.js'] })).toMatchObject({
      status: 'passed',
      counts: { passed: 1, total: 1 },
    });
    expect(await checker.check({ scope: 'related', files: ['src/unused.js'] })).toMatchObject({
      status: 'no_tests',
      passed: true,
    });
    edit(root, 'src/math.js', 'return a + b;', 'return a * b;');
    const v = await checker.check({ scope: 'related', files: ['src/math.js'] });
    expect(v).toMatchObject({ status: 'failed', counts: { failed: 1 } });
    expect(v.failures[0]).toMatchObject({
      name: 'adds two numbers',
      file: '__tests__/math.test.js',
    });
    expect(v.failures[0]?.message).toMatch(/expect\(received\)\.toBe\(expected\)/);
    expect(v.failures[0]?.excerpt).toMatch(/Expected: 5/);
  });
});

describe('pytest', () => {
  it('runs the matching test module, names failures, and handles exit 5', async () => {
    const root = makeProject('pytest-project');
    const checker = checkerFor(root);
    expect(await checker.check({ scope: 'related', files: ['calc/arith.py'] })).toMatchObject({
      status: 'passed',
      counts: { passed: 2, failed: 0 },
    });
    edit(root, 'calc/arith.py', 'return a + b', 'return a + b + 1');
    const v = await checker.check({ scope: 'related', files: ['calc/arith.py'] });
    expect(v).toMatchObject({ status: 'failed', counts: { failed: 2, passed: 0 } });
    expect(v.failures.map((f) => f.name).sort()).toEqual([
      'test_adds_negatives',
      'test_adds_two_numbers',
    ]);
    expect(v.failures[0]).toMatchObject({ file: 'tests/test_arith.py' });
    expect(v.failures[0]?.message).toMatch(/assert/);
    expect(v.command).toContain('tests/test_arith.py');
    // A source file with no matching test module runs the whole suite.
    const suite = await checker.check({ scope: 'related', files: ['calc/lonely.py'] });
    expect(suite.command).not.toContain('tests/test_arith.py');
    expect(suite.counts.total).toBe(2);
    // A test module that collects nothing: pytest exits 5, which is not a failure.
    writeFileSync(join(root, 'tests/test_empty.py'), '# nothing yet\n');
    expect(await checker.check({ scope: 'related', files: ['tests/test_empty.py'] })).toMatchObject(
      { status: 'no_tests', passed: true, exit_code: 5 },
    );
    expect(existsSync(join(root, '.pytest_cache'))).toBe(false);
  });
});

describe('TEST_COMMAND', () => {
  it('substitutes {files} shell-quoted and judges by exit code', async () => {
    const root = tempDir();
    const out = join(root, 'args.txt');
    const checker = checkerFor(root, `printf '%s\\n' {files} > ${out}; test ! -e fail-marker`);
    const ok = await checker.check({ scope: 'related', files: ['src/a b.ts', "it's.ts"] });
    expect(ok).toMatchObject({ status: 'passed', runner: 'custom' });
    expect(readFileSync(out, 'utf8')).toBe("src/a b.ts\nit's.ts\n");
    writeFileSync(join(root, 'fail-marker'), '');
    expect(await checker.check({ scope: 'related', files: ['x.ts'] })).toMatchObject({
      status: 'failed',
      passed: false,
      exit_code: 1,
    });
  });

  it('kills the whole process tree at TEST_TIMEOUT_SECONDS and counts it as failed', async () => {
    const root = tempDir();
    const pidFile = join(root, 'grandchild.pid');
    const checker = checkerFor(root, `sh -c 'sleep 60 & echo $! > ${pidFile}; wait'`, 700);
    const started = Date.now();
    const v = await checker.check({ scope: 'suite', files: [] });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(v).toMatchObject({ status: 'timeout', passed: false });
    expect(v.failures[0]?.message).toMatch(/longer than 1 s/);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 100));
    expect(isRunning(grandchild)).toBe(false);
  });

  it('caps captured output', async () => {
    const root = tempDir();
    const v = await checkerFor(
      root,
      `node -e "process.stdout.write('x'.repeat(2e6)); process.exit(1)"`,
    ).check({ scope: 'suite', files: [] });
    expect(v.status).toBe('failed');
    expect(v.output_excerpt.length).toBeLessThan(5000);
  });
});
