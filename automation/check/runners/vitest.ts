/**
 * vitest: `vitest related <files> --run` (its own import graph), `vitest run <files>`, or the
 * suite; with the project test script's scoping flags, a JSON report and no coverage.
 */
import { parseJestJson } from '../reports/jest-json.js';
import { asPathArg, type RunnerAdapter, unreadable } from '../runner.js';
import { localBin } from './local-bin.js';

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
        `--outputFile.json=${reportFile}`,
        '--coverage.enabled=false',
        '--passWithNoTests',
        '--watch=false',
      ],
      reportFile,
    };
  },
  read(result, report, ctx) {
    if (report === undefined) return unreadable(result, 'vitest wrote no report');
    return parseJestJson(report, ctx.root);
  },
};
