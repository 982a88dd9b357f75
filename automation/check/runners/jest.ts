/** jest: `jest --findRelatedTests <files>` with a JSON report, or the whole suite. */
import { parseJestJson } from '../jest-json.js';
import { type RunnerAdapter, unreadable } from '../runner.js';
import { localBin } from './local-bin.js';

export const jestRunner: RunnerAdapter = {
  name: 'jest',
  invocation(target, ctx) {
    const bin = localBin(ctx.root, 'jest');
    const reportFile = ctx.tempFile('.json');
    const related = target.scope === 'related' ? ['--findRelatedTests', ...target.files] : [];
    return {
      file: bin.file,
      args: [
        ...bin.prefix,
        ...related,
        '--json',
        `--outputFile=${reportFile}`,
        '--ci',
        '--passWithNoTests',
        '--watchAll=false',
      ],
      reportFile,
    };
  },
  read(result, report, ctx) {
    if (report === undefined) return unreadable(result, 'jest wrote no report (see the output)');
    return parseJestJson(report, ctx.root);
  },
};
