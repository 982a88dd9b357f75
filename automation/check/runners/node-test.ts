/**
 * node's built-in test runner: `node --test` on the matching test files, a test file itself, or the
 * suite.
 */

import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { relativePosix } from '../../fs/paths.js';
import { reporterPath } from '../instrument/progress.js';
import { findFiles, stemOf } from '../related/find-tests.js';
import { locateJs } from '../reports/location.js';
import type { Reading, RunnerAdapter } from '../runner.js';
import { asPathArg, unreadable } from '../runner.js';
import { isTestFile } from '../test-files.js';
import { type FailingTest, MAX_PASSED, testId } from '../verdict.js';

/**
 * Reads the TAP reporter's `# pass N` / `# fail N` counts and `not ok` lines; paths relative to
 * `root`.
 */
export function readTap(output: string, exitCode: number | null, root: string): Reading {
  const num = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(output)?.[1] ?? 0);
  const counts = {
    passed: num('pass'),
    failed: num('fail') + num('cancelled'),
    skipped: num('skipped') + num('todo'),
    total: num('tests'),
  };
  const failures: FailingTest[] = [];
  for (const m of output.matchAll(/^(\s*)not ok \d+ - (.*)$/gm)) {
    const after = output.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 2000);
    const message = /error: \|?-?\s*\n?\s*['"]?(.+?)['"]?$/m.exec(after)?.[1] ?? 'failed';
    const declared = /location: '([^']+?)(?::(\d+):(\d+))?'/.exec(after);
    const abs = declared?.[1];
    const file = abs ? (isAbsolute(abs) ? relativePosix(root, abs) : abs) : null;
    const excerpt = after.split(/\n\s*(?:ok|not ok) \d+/)[0] ?? '';
    const found = locateJs(excerpt, root, file);
    // Where it failed (its stack), else where the test is declared.
    const location =
      found.location ?? (declared?.[2] ? `${file}:${declared[2]}:${declared[3]}` : undefined);
    // Subtests are indented; a failing parent repeats its child's failure, so keep the leaves only.
    failures.push({
      name: m[2] ?? '',
      file,
      message,
      excerpt,
      ...found,
      ...(location ? { location } : {}),
    });
  }
  const passedTests: string[] = [];
  for (const m of output.matchAll(/^\s*ok \d+ - (.*?)(?: # \w+.*)?$/gm)) {
    const after = output.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 600);
    const at = /location: '([^']+?)(?::\d+:\d+)?'/.exec(after)?.[1];
    const file = at ? (isAbsolute(at) ? relativePosix(root, at) : at) : null;
    // A file-level entry (its name is its path) is no test.
    if (m[1] && at !== m[1] && passedTests.length < MAX_PASSED)
      passedTests.push(testId({ file, name: m[1] }));
  }
  if (counts.total === 0 && exitCode === 0) return { status: 'no_tests', counts, failures };
  if (exitCode === 0) return { status: 'passed', counts, failures: [], passedTests };
  if (counts.failed > 0) return { status: 'failed', counts, failures, passedTests };
  return {
    status: 'error',
    counts,
    failures: [
      {
        name: 'node --test',
        file: null,
        message: `node --test exited with code ${exitCode}`,
        excerpt: output.slice(-1500),
      },
    ],
  };
}

export const nodeTestRunner: RunnerAdapter = {
  name: 'node',
  async invocation(target, ctx) {
    const base = ['--test', '--test-reporter=tap'];
    if (ctx.progressFile) {
      base.push(
        '--test-reporter-destination=stdout',
        `--test-reporter=${pathToFileURL(reporterPath('node-test-progress.js')).href}`,
        `--test-reporter-destination=${ctx.progressFile}`,
      );
    }
    if (target.scope === 'suite') return { file: process.execPath, args: base };
    const related =
      target.scope === 'files' ? target.files : await relatedNodeTests(ctx.cwd, target.files);
    if (related.length === 0)
      return { file: process.execPath, args: base, skip: 'no test file is related to the change' };
    return { file: process.execPath, args: [...base, ...related.map(asPathArg)] };
  },
  read(result, _report, ctx) {
    if (result.spawnError) return unreadable(result, result.spawnError);
    return readTap(result.output, result.exitCode, ctx.root);
  },
};

/** Resolves related test files for node --test: test files themselves plus <stem>.test.* files. */
export async function relatedNodeTests(root: string, files: readonly string[]): Promise<string[]> {
  const out = new Set(files.filter(isTestFile));
  const stems = new Set(files.filter((f) => !isTestFile(f)).map(stemOf));
  if (stems.size) {
    for (const f of await findFiles(root, (name) => isTestFile(name) && stems.has(stemOf(name))))
      out.add(f);
  }
  return [...out];
}
