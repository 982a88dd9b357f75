/**
 * How a work order's attempt is judged (CONTRACT.md §5, Done when and Proof): the tests related
 * to every changed file must pass as at the base; a changed file no test relates to (a README, a
 * config, a new module) makes the whole suite (the owning package's) run, which must pass as at
 * the base, or, with WORK_REQUIRE_TESTS=true, fails the attempt when it is source code; and every
 * test the order adds or changes is also run at the base, where one that fails proves the change.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImportSearch } from '../check/related/importers.js';
import { isTestFile } from '../check/test-files.js';
import { testId, type Verdict } from '../check/verdict.js';
import type { AttemptJudge } from '../fix/attempt-io.js';
import type { Workspace } from '../workspace/workspace.js';
import type { Verification } from './verification.js';

/** Files that are program code (a change to one can have a test); others are docs or config. */
const SOURCE = /\.(?:[cm]?[jt]sx?|py|go|rs|java|kt|rb|php|cs|vue|svelte|swift|scala|ex|exs)$/;
export const isSource = (rel: string) => SOURCE.test(rel) && !isTestFile(rel);

export interface WorkJudgeOptions {
  workspace: Workspace;
  /** WORK_REQUIRE_TESTS: an uncovered source file fails the attempt. */
  requireTests: boolean;
}

/** The judge of a work order's attempts in `workspace`. */
export function workJudge(options: WorkJudgeOptions): AttemptJudge {
  const { workspace, requireTests } = options;
  const imports = new ImportSearch(workspace.root);
  return async (edited, signal) => {
    const files = [...edited];
    const checker = workspace.checker;
    const related = await checker.check({ scope: 'related', files }, signal);
    if (signal.aborted || !related.passed) return { verdict: related };
    // pytest runs the suite when no test module matches: that run is the suite's.
    const ranSuite = related.scope === 'suite';
    const uncovered = ranSuite
      ? files.filter((f) => !isTestFile(f))
      : await uncoveredOf(files, related, { imports, workspace, signal });
    const untested = uncovered.filter(isSource);
    if (requireTests && untested.length) {
      const them = untested.length === 1 ? 'it' : 'them';
      const has = untested.length === 1 ? 'has' : 'have';
      const refusal =
        `${untested.join(', ')} ${has} no test; add a test for ${them} ` +
        '(WORK_REQUIRE_TESTS=true)';
      return { verdict: related, refusal };
    }
    let suite = ranSuite ? related : undefined;
    if (uncovered.length && !suite) {
      suite = await checker.check({ scope: 'suite', files: uncovered }, signal);
      if (signal.aborted || !suite.passed) return { verdict: suite };
    }
    const verdict = (ranSuite || related.status === 'no_tests') && suite ? suite : related;
    const proving = await provingTests(workspace, files, related, signal);
    const ids = (v: Verdict | undefined, key: 'known_failures' | 'flaky') =>
      (v?.[key] ?? []).map(testId);
    const proof: Verification = {
      related: ranSuite
        ? { passed: 0, failed: 0, files: [] }
        : {
            passed: related.counts.passed,
            failed: related.counts.failed,
            files: related.test_files ?? [],
          },
      suite: suite ? { passed: suite.counts.passed, failed: suite.counts.failed } : null,
      proving,
      uncovered,
      known: [...new Set([...ids(related, 'known_failures'), ...ids(suite, 'known_failures')])],
      flaky: [...new Set([...ids(related, 'flaky'), ...ids(suite, 'flaky')])],
    };
    return { verdict, proof: { ...proof } };
  };
}

/** The changed files no test relates to (the runner's view, fixloop's import search first). */
async function uncoveredOf(
  files: readonly string[],
  related: Verdict,
  ctx: { imports: ImportSearch; workspace: Workspace; signal: AbortSignal },
): Promise<string[]> {
  const ran = new Set(related.test_files ?? []);
  const out: string[] = [];
  for (const f of files) {
    if (isTestFile(f)) continue;
    if (!isSource(f) || related.status === 'no_tests') {
      out.push(f);
      continue;
    }
    // One file, and tests ran: they are its.
    if (files.length === 1) continue;
    const mine = await ctx.imports.relatedTests([f]).catch(() => [] as string[]);
    if (mine.some((t) => ran.has(t))) continue;
    const alone = await ctx.workspace.checker.check({ scope: 'related', files: [f] }, ctx.signal);
    if (alone.status === 'no_tests' || alone.scope === 'suite') out.push(f);
  }
  return out;
}

/**
 * The order's own tests (test files it added or changed) that pass with the change and do not at
 * the base: run there with the base's code and the order's tests.
 */
async function provingTests(
  workspace: Workspace,
  files: readonly string[],
  related: Verdict,
  signal: AbortSignal,
): Promise<string[]> {
  const tests = files.filter(isTestFile);
  if (!tests.length || !workspace.base) return [];
  const overlay = new Map<string, string>();
  for (const t of tests) {
    const text = await readFile(join(workspace.root, t), 'utf8').catch(() => undefined);
    if (text !== undefined) overlay.set(t, text);
  }
  const mine = [...overlay.keys()];
  const atBase = await workspace.base.runWith(overlay, { scope: 'files', files: mine }, signal);
  // A base run that could not run at all tells nothing about the tests.
  const ran = atBase?.status === 'failed' || atBase?.status === 'passed';
  if (!atBase || (!ran && atBase.failures.some((f) => f.file === null))) return [];
  const passedBefore = new Set(atBase.passed_tests ?? []);
  const fileOf = (id: string) => id.slice(0, Math.max(0, id.indexOf(' > ')));
  return (related.passed_tests ?? []).filter(
    (id) => overlay.has(fileOf(id)) && !passedBefore.has(id),
  );
}
