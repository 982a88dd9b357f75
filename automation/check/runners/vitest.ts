/** vitest: `vitest related <files> --run` with a JSON report, or `vitest run` for the suite. */
import { parseJestJson } from '../jest-json.js';
import { type RunnerAdapter, unreadable } from '../runner.js';
import { localBin } from './local-bin.js';

export const vitestRunner: RunnerAdapter = {
  name: 'vitest',
  invocation(target, ctx) {
    const bin = localBin(ctx.root, 'vitest');
    const reportFile = ctx.tempFile('.json');
    const mode = target.scope === 'related' ? ['related', ...target.files, '--run'] : ['run'];
    return {
      file: bin.file,
      args: [
        ...bin.prefix,
        ...mode,
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${reportFile}`,
        '--passWithNoTests',
        '--watch=false',
      ],
      reportFile,
    };
  },
  read(result, report, ctx) {
    if (report === undefined) return unreadable(result, 'vitest wrote no report (see the output)');
    return parseJestJson(report, ctx.root);
  },
};
