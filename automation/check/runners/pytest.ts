/**
 * pytest: the matching test modules (test_x.py / x_test.py for x.py), a test file itself, or the
 * suite.
 */
import { execFile } from 'node:child_process';
import { PYTEST_PLUGIN } from '../instrument/python-progress.js';
import { findFiles, stemOf } from '../related/find-tests.js';
import { cleanExcerpt } from '../reports/failure-text.js';
import { locatePython } from '../reports/location.js';
import type { Reading, RunnerAdapter } from '../runner.js';
import { asPathArg, outputTail, unreadable } from '../runner.js';
import { isTestFile } from '../test-files.js';
import { type FailingTest, MAX_PASSED, testId } from '../verdict.js';

const CANDIDATES: Array<[string, string[]]> = [
  ['python3', ['-m', 'pytest']],
  ['pytest', []],
  ['/usr/bin/python3', ['-m', 'pytest']],
  ['python', ['-m', 'pytest']],
];

let chosen: Promise<[string, string[]] | undefined> | undefined;

/** The first interpreter that has pytest (probed once per process). */
export function findPytest(): Promise<[string, string[]] | undefined> {
  chosen ??= (async () => {
    for (const [file, args] of CANDIDATES) {
      const ok = await new Promise<boolean>((resolve) =>
        execFile(file, [...args, '--version'], { timeout: 15_000 }, (error) => resolve(!error)),
      );
      if (ok) return [file, args];
    }
    return undefined;
  })();
  return chosen;
}

const coverage = new Map<string, Promise<boolean>>();

/**
 * Whether pytest-cov is active in `cwd` (probed once per folder): then `--no-cov` turns coverage
 * off for fixloop's runs. Blocking the plugin instead (`-p no:cov`) would break every project
 * whose addopts say `--cov`, and passing `--no-cov` without the plugin is an error.
 */
export function hasPytestCov(
  py: [string, string[]],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<boolean> {
  let known = coverage.get(cwd);
  if (!known) {
    // With the test environment: it keeps Python from writing .pyc files into the project.
    known = new Promise<boolean>((resolve) =>
      execFile(py[0], [...py[1], '--help'], { cwd, env, timeout: 15_000 }, (_error, stdout) =>
        resolve(/--no-cov\b/.test(stdout)),
      ),
    );
    coverage.set(cwd, known);
  }
  return known;
}

/**
 * Test modules related to `files`: test files themselves, and test_<stem>.py / <stem>_test.py for
 * sources.
 */
export async function relatedPythonTests(
  root: string,
  files: readonly string[],
): Promise<string[] | 'suite'> {
  const out = new Set<string>();
  const stems = new Set<string>();
  for (const f of files) {
    if (!f.endsWith('.py')) continue;
    if (isTestFile(f) && !f.endsWith('conftest.py')) out.add(f);
    else if (f.endsWith('conftest.py') || stemOf(f) === '__init__') return 'suite';
    else stems.add(stemOf(f));
  }
  if (stems.size > 0) {
    const found = await findFiles(root, (name) =>
      [...stems].some((s) => name === `test_${s}.py` || name === `${s}_test.py`),
    );
    if (found.length === 0 && out.size === 0) return 'suite';
    for (const f of found) out.add(f);
  }
  return [...out];
}

const SUMMARY = /^=+ (.*\bin [\d.]+s.*) =+$/m;

/** Reads pytest's `-rpfE` short summary (passed, failed, errors) and its final counts line. */
export function readPytestOutput(output: string, exitCode: number | null): Reading {
  const counts = { passed: 0, failed: 0, skipped: 0, total: 0 };
  const summary = SUMMARY.exec(output)?.[1] ?? output.trim().split('\n').at(-1) ?? '';
  for (const [, n, what] of summary.matchAll(
    /(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|deselected)/g,
  )) {
    const k = Number(n);
    if (what === 'passed' || what === 'xpassed') counts.passed += k;
    else if (what === 'failed' || what?.startsWith('error')) counts.failed += k;
    else if (what === 'skipped' || what === 'xfailed') counts.skipped += k;
  }
  counts.total = counts.passed + counts.failed + counts.skipped;
  const failures: FailingTest[] = [];
  for (const [, kind, id, message] of output.matchAll(/^(FAILED|ERROR) (\S+)(?: - (.*))?$/gm)) {
    const [file, ...rest] = (id ?? '').split('::');
    const block = kind === 'ERROR' && rest.length === 0 ? errorBlock(output, file ?? '') : '';
    const excerpt = block || blockFor(output, rest.at(-1));
    // A collection error's summary line has no message: the `E   …` line of its block is the cause.
    const cause = message ?? lastErrorLine(excerpt) ?? kind ?? '';
    failures.push({
      name: rest.length ? rest.join('::') : `${file} (${kind === 'ERROR' ? 'error' : 'failed'})`,
      file: file ?? null,
      message: cause,
      excerpt: cleanExcerpt(excerpt),
      ...locatePython(excerpt, file ?? null),
    });
  }
  const passedTests: string[] = [];
  for (const [, id] of output.matchAll(/^PASSED (\S+)$/gm)) {
    const [file, ...rest] = (id ?? '').split('::');
    if (rest.length && passedTests.length < MAX_PASSED)
      passedTests.push(testId({ file: file ?? null, name: rest.join('::') }));
  }
  if (exitCode === 5) return { status: 'no_tests', counts, failures: [] };
  if (exitCode === 0) return { status: 'passed', counts, failures: [], passedTests };
  // Exit 1 names its failures; without any, pytest itself failed (a plugin or conftest that does
  // not import): the output's tail is the cause.
  if (exitCode === 1 && failures.length) return { status: 'failed', counts, failures, passedTests };
  return {
    status: 'error',
    counts,
    failures: failures.length
      ? failures
      : [
          {
            name: 'pytest',
            file: null,
            message: `pytest exited with code ${exitCode}; its output ended: ${outputTail(output)}`,
            excerpt: cleanExcerpt(output.slice(-3000)),
          },
        ],
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first `E   Error: …` line of a traceback block (pytest marks the exception with `E`). */
function lastErrorLine(block: string): string | undefined {
  const line = block
    .split('\n')
    .find((l) => /^E\s+\S/.test(l) && /\w(Error|Exception)\b|^E\s+\w+:/.test(l));
  return line?.replace(/^E\s+/, '').trim();
}

/** The `_____ ERROR collecting <file> _____` section of pytest's output. */
function errorBlock(output: string, file: string): string {
  return sectionFrom(output, new RegExp(`^_+ ERROR collecting ${escapeRegExp(file)} _+$`, 'm'));
}

/** The `_____ test_name _____` section of pytest's traceback output for a test. */
function blockFor(output: string, testName: string | undefined): string {
  if (!testName) return '';
  return sectionFrom(output, new RegExp(`^_+ ${escapeRegExp(testName)} _+$`, 'm'));
}

/** From the header matching `header` to the next section header. */
function sectionFrom(output: string, header: RegExp): string {
  const start = output.search(header);
  if (start < 0) return '';
  const rest = output.slice(start);
  const body = rest.indexOf('\n') + 1; // the next header, not this one
  const end = body === 0 ? -1 : rest.slice(body).search(/^(_{3,} |=+ )/m);
  return end < 0 ? rest : rest.slice(0, body + end);
}

export const pytestRunner: RunnerAdapter = {
  name: 'pytest',
  async invocation(target, ctx) {
    const py = await findPytest();
    if (!py) return { file: 'python3', args: ['-m', 'pytest'], skip: undefined };
    const files =
      target.scope === 'related'
        ? await relatedPythonTests(ctx.cwd, target.files)
        : target.scope === 'files'
          ? target.files
          : 'suite';
    if (Array.isArray(files) && files.length === 0)
      return { file: py[0], args: [], skip: 'no Python test module is related to the change' };
    return {
      file: py[0],
      args: [
        ...py[1],
        '-q',
        // Passed first: the failures stay in the tail of a long output, which is always kept.
        '-rpfE',
        '--tb=short',
        '-p',
        'no:cacheprovider',
        ...((await hasPytestCov(py, ctx.cwd, ctx.env)) ? ['--no-cov'] : []),
        '--continue-on-collection-errors',
        '--color=no',
        ...(ctx.progressFile ? ['-p', PYTEST_PLUGIN] : []),
        ...(files === 'suite' ? [] : files.map(asPathArg)),
      ],
      // No module matched a source file: the whole suite runs, and says so.
      ...(files === 'suite' ? { scope: 'suite' as const } : {}),
    };
  },
  read(result) {
    if (result.spawnError) return unreadable(result, result.spawnError);
    return readPytestOutput(result.output, result.exitCode);
  },
};
