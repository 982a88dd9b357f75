/**
 * The warm child's vitest: one vitest instance of the project, kept between runs. It uses the
 * project's own vitest, never a copy of ours, and answers each run with what a cold
 * `vitest --reporter=json` process would give: an exit code, its output and the JSON report.
 */
import { join } from 'node:path';
import type { WarmDriver } from './driver.js';
import { withOutput } from './driver.js';
import { Freshness, specsFor } from './freshness.js';
import { releaseIdlePool } from './idle-pool.js';
import { createInstance, projectLoader, RunCapture, restartFiles } from './instance.js';
import type { RunRequest } from './protocol.js';
import type { Spec, VitestLike } from './vitest-like.js';

const EMPTY_REPORT = JSON.stringify({
  numTotalTestSuites: 0,
  numTotalTests: 0,
  numPassedTests: 0,
  numFailedTests: 0,
  numPendingTests: 0,
  numTodoTests: 0,
  success: true,
  testResults: [],
});

/** Opens vitest in `cwd` with the test script's flags, its transforms made once. */
export async function openVitestDriver(
  cwd: string,
  scriptArgs: readonly string[],
): Promise<WarmDriver> {
  const capture = new RunCapture();
  let vitest: VitestLike;
  try {
    vitest = await createInstance(cwd, scriptArgs, capture);
  } catch (error) {
    throw withOutput(error, capture.output);
  }
  const fresh = new Freshness(vitest);
  // Transforms every test file and its imports once, so the first check is fast and the module
  // graph knows importers even if the first change does not parse.
  vitest.config.related = [join(cwd, '__fixloop_prewarm__')];
  await vitest.getRelevantTestSpecifications().catch(() => []);
  vitest.config.related = undefined;
  fresh.update([]);

  let released = Promise.resolve();
  const answer = (exitCode: number) => {
    process.exitCode = 0; // vitest sets 1 after a failing run; this process is a server
    return { exitCode, output: capture.output, report: capture.report };
  };
  const version = projectLoader(cwd).version();
  return {
    version,
    restartFiles: () => restartFiles(vitest),
    async run(req: RunRequest) {
      await released;
      capture.reset();
      let specs: Spec[];
      try {
        specs = await specsFor(vitest, fresh, req, cwd);
      } catch (error) {
        // As the CLI: a file that does not parse stops `vitest related` before any test runs.
        const e = error as Error;
        capture.output += `\n⎯⎯ Unhandled Error ⎯⎯\n${e.name}: ${e.message}\n`;
        return answer(1);
      }
      if (specs.length === 0) {
        capture.output = 'No test files found, exiting with code 0\n';
        capture.report = EMPTY_REPORT;
      } else {
        try {
          await vitest.runTestSpecifications(specs, false);
        } finally {
          // In the background: the answer does not wait for the workers to exit.
          released = releaseIdlePool(vitest, version);
        }
      }
      return answer(capture.failed ? 1 : 0);
    },
    close: () => released.then(() => vitest.close()),
  };
}
