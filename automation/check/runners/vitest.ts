/**
 * vitest: `vitest related <files> --run` (its own import graph), `vitest run <files>`, or the
 * suite; with the project test script's scoping flags, a JSON report and no coverage.
 */

import { reporterPath } from '../instrument/progress.js';
import { cleanExcerpt, unhandledCause } from '../reports/failure-text.js';
import { parseJestJson } from '../reports/jest-json.js';
import { unparsedModules } from '../reports/unparsed-modules.js';
import { asPathArg, type RunnerAdapter, unreadable } from '../runner.js';
import { localBin } from './local-bin.js';

const zero = () => ({ passed: 0, failed: 0, skipped: 0, total: 0 });

export const vitestRunner: RunnerAdapter = {
  name: 'vitest',
  invocation(target, ctx) {
    const bin = localBin(ctx.cwd, 'vitest');
    const reportFile = ctx.tempFile('.json');
    const files = target.files.map(asPathArg);
    const mode =
      target.scope === 'related'
        ? ['related', ...files, '--run']
        : target.scope === 'files'
          ? ['run', ...files]
          : ['run'];
    return {
      file: bin.file,
      args: [
        ...bin.prefix,
        ...mode,
        ...ctx.scriptArgs,
        '--reporter=default',
        '--reporter=json',
        ...(ctx.progressFile ? [`--reporter=${reporterPath('vitest-progress.js')}`] : []),
        `--outputFile.json=${reportFile}`,
        '--coverage.enabled=false',
        '--passWithNoTests',
        '--watch=false',
      ],
      reportFile,
    };
  },
  read(result, report, ctx) {
    const unhandled = unhandledCause(result.output, ctx.root);
    if (report === undefined) {
      if (!unhandled) return unreadable(result, 'vitest wrote no report');
      const excerpt = cleanExcerpt(result.output.slice(-3000));
      const failure = { name: 'test run', file: null, message: unhandled, excerpt };
      return { status: 'error', counts: zero(), failures: [failure] };
    }
    const reading = unparsedModules(parseJestJson(report, ctx.root), ctx.root);
    // Every test passed, yet vitest failed the run: an error outside the tests (an unawaited
    // rejection, an error thrown after a test ended) fails it, as it fails the CLI.
    const clean = reading.status === 'passed' || reading.status === 'no_tests';
    if (clean && result.exitCode !== 0 && result.exitCode !== null) {
      const message = unhandled ?? `vitest exited with code ${result.exitCode}`;
      const failure = { name: 'unhandled error', file: null, message, excerpt: '' };
      return { ...reading, status: 'failed', failures: [...reading.failures, failure] };
    }
    return reading;
  },
};
