/**
 * jest: `jest --findRelatedTests <files>`, `jest --runTestsByPath <files>`, or the suite; with the
 * project test script's scoping flags, a JSON report and no coverage.
 */

import { reporterPath } from '../instrument/progress.js';
import { parseJestJson } from '../reports/jest-json.js';
import { asPathArg, type RunnerAdapter, unreadable } from '../runner.js';
import { localBin } from './local-bin.js';

export const jestRunner: RunnerAdapter = {
  name: 'jest',
  invocation(target, ctx) {
    const bin = localBin(ctx.cwd, 'jest');
    const reportFile = ctx.tempFile('.json');
    const files = target.files.map(asPathArg);
    const mode =
      target.scope === 'related'
        ? ['--findRelatedTests', ...files]
        : target.scope === 'files'
          ? ['--runTestsByPath', ...files]
          : [];
    return {
      file: bin.file,
      args: [
        ...bin.prefix,
        ...mode,
        ...ctx.scriptArgs,
        '--json',
        `--outputFile=${reportFile}`,
        ...(ctx.progressFile
          ? ['--reporters=default', `--reporters=${reporterPath('jest-progress.js')}`]
          : []),
        '--ci',
        '--coverage=false',
        '--passWithNoTests',
        '--watchAll=false',
      ],
      reportFile,
    };
  },
  read(result, report, ctx) {
    if (report === undefined) return unreadable(result, 'jest wrote no report');
    return parseJestJson(report, ctx.root);
  },
};
