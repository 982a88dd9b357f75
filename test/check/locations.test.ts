/**
 * A failure says where: each runner's failing assertion carries `location` (the line of the test
 * file), and an error thrown in the project's code its `source` line too; both reach the
 * `test_results` record with a capped excerpt, and the one-line reason. Real runners.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checker } from '../../automation/check/checker.js';
import { detectSetups } from '../../automation/check/detect.js';
import { nodeProcessRunner } from '../../automation/check/process-runner.js';
import { failureReason, testRecord } from '../../automation/check/record.js';
import { edit, makeProject } from '../support/project.js';
import { tempDir } from '../support/tmp.js';

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

describe('failures carry file:line', () => {
  it('vitest: the assertion line, and the source line an error came from', async () => {
    const root = makeProject('vitest-project');
    edit(root, 'src/math.js', 'return a + b;', 'return a - b;');
    edit(root, 'src/math.js', 'return a * b;', "throw new Error('no multiplying today');");
    const verdict = await checkerFor(root).check({ scope: 'related', files: ['src/math.js'] });
    const byName = Object.fromEntries(verdict.failures.map((f) => [f.name, f]));
    expect(byName['math adds two numbers']).toMatchObject({ location: 'test/math.test.js:6:23' });
    expect(byName['math adds two numbers']?.source).toBeUndefined();
    expect(byName['math multiplies two numbers']).toMatchObject({
      location: 'test/math.test.js:9:12',
      source: 'src/math.js:6:9',
    });
    expect(failureReason(verdict)).toContain('(test/math.test.js:');
    const record = testRecord(
      { id: 'task_00000001', file_path: 'src/math.js' } as never,
      verdict,
      new Date().toISOString(),
    );
    expect(record.failing_tests[0]).toMatchObject({
      location: expect.stringMatching(/^test\/math\.test\.js:\d+:\d+$/),
      excerpt: expect.stringContaining('Error'),
    });
  });

  it('jest: the assertion line in the test file', async () => {
    const root = makeProject('jest-project');
    edit(root, 'src/math.js', 'return a + b;', 'return a - b;');
    const verdict = await checkerFor(root).check({ scope: 'related', files: ['src/math.js'] });
    expect(verdict.failures[0]).toMatchObject({
      name: 'adds two numbers',
      location: '__tests__/math.test.js:4:21',
    });
  });

  it('pytest: the line in the test, and the source line that raised', async () => {
    const root = makeProject('pytest-project');
    writeFileSync(
      join(root, 'calc/arith.py'),
      'def add(a, b):\n    if a < 0:\n        raise ValueError("negative")\n    return a - b\n',
    );
    const verdict = await checkerFor(root).check({ scope: 'related', files: ['calc/arith.py'] });
    const byName = Object.fromEntries(verdict.failures.map((f) => [f.name, f]));
    expect(byName.test_adds_two_numbers).toMatchObject({ location: 'tests/test_arith.py:5' });
    expect(byName.test_adds_negatives).toMatchObject({
      location: 'tests/test_arith.py:9',
      source: 'calc/arith.py:3',
    });
  });

  it("node's test runner: the line, with the file relative to the project", async () => {
    const root = tempDir('fixloop-node-test-');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ scripts: { test: 'node --test' } }));
    mkdirSync(join(root, 'test'));
    writeFileSync(join(root, 'sum.js'), 'exports.sum = (a, b) => a - b;\n');
    writeFileSync(
      join(root, 'test/sum.test.js'),
      "const test = require('node:test');\nconst assert = require('node:assert');\n" +
        "const { sum } = require('../sum.js');\n\n" +
        "test('sums', () => {\n  assert.strictEqual(sum(1, 2), 3);\n});\n",
    );
    const verdict = await checkerFor(root).check({ scope: 'files', files: ['test/sum.test.js'] });
    expect(verdict.failures[0]).toMatchObject({
      name: 'sums',
      file: 'test/sum.test.js',
      location: 'test/sum.test.js:6:10',
    });
  });
});
