/**
 * The warm vitest runner's child process: one vitest instance of the project, kept between runs
 * and driven over IPC by warm-vitest.ts. It uses the project's own vitest, never a copy of ours,
 * and answers each run with what a cold `vitest --reporter=json` process would give: an exit
 * code, its output and the JSON report, so both paths are read by the same code.
 */
import { join } from 'node:path';
import { PROGRESS_ENV } from '../instrument/progress.js';
import { Freshness, specsFor } from './freshness.js';
import {
  createInstance,
  projectLoader,
  RunCapture,
  restartFiles,
  UnsupportedVitestError,
} from './instance.js';
import type { RunRequest, WarmMessage, WarmRequest, WarmStart } from './protocol.js';
import type { Spec, VitestLike } from './vitest-like.js';

const send = (message: WarmMessage) => process.send?.(message);
const start = JSON.parse(process.argv[2] ?? '{}') as WarmStart;
const cwd = process.cwd();
const capture = new RunCapture();

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

let runStarted = 0;

async function run(vitest: VitestLike, fresh: Freshness, req: RunRequest): Promise<void> {
  runStarted = performance.now();
  capture.reset();
  // The progress reporter in the instance writes where this run's checker reads.
  if (req.progressFile) process.env[PROGRESS_ENV] = req.progressFile;
  else delete process.env[PROGRESS_ENV];
  let specs: Spec[];
  try {
    specs = await specsFor(vitest, fresh, req, cwd);
  } catch (error) {
    // As the CLI: a file that does not parse stops `vitest related` before any test runs.
    const e = error as Error;
    capture.output += `\n⎯⎯ Unhandled Error ⎯⎯\n${e.name}: ${e.message}\n`;
    return void send(reply(req, 1));
  }
  if (specs.length === 0) {
    capture.output = 'No test files found, exiting with code 0\n';
    capture.report = EMPTY_REPORT;
  } else {
    await vitest.runTestSpecifications(specs, false);
  }
  send(reply(req, capture.failed ? 1 : 0));
}

/** The reply to `req`: this run's output, report and time. */
function reply(req: RunRequest, exitCode: number) {
  process.exitCode = 0; // vitest sets 1 after a failing run; this process is a server
  return {
    id: req.id,
    ok: true as const,
    exitCode,
    output: capture.output,
    report: capture.report,
    durationMs: Math.round(performance.now() - runStarted),
    rss: process.memoryUsage().rss,
  };
}

async function main(): Promise<void> {
  let vitest: VitestLike;
  try {
    vitest = await createInstance(cwd, start.scriptArgs, capture);
  } catch (error) {
    send({
      type: 'fatal',
      error: `${(error as Error).message}\n${capture.output.slice(-2000)}`.trim(),
      permanent: error instanceof UnsupportedVitestError,
    });
    process.exit(1);
  }
  const fresh = new Freshness(vitest);
  // Transforms every test file and its imports once, so the first check is fast and the module
  // graph knows importers even if the first change does not parse.
  vitest.config.related = [join(cwd, '__fixloop_prewarm__')];
  await vitest.getRelevantTestSpecifications().catch(() => []);
  vitest.config.related = undefined;
  fresh.update([]);
  const vitestVersion = projectLoader(cwd).version();
  send({ type: 'ready', vitestVersion, restartFiles: restartFiles(vitest) });

  let queue = Promise.resolve();
  process.on('message', (req: WarmRequest) => {
    queue = queue.then(async () => {
      if (req.kind === 'close') {
        await vitest.close().catch(() => {});
        process.exit(0);
      }
      await run(vitest, fresh, req).catch((error: Error) =>
        send({ id: req.id, ok: false, error: error.stack ?? error.message }),
      );
    });
  });
  // The daemon is gone (even SIGKILLed): close, then end the whole group (the pool's workers).
  process.on('disconnect', () => {
    const bounded = new Promise((r) => setTimeout(r, 1000).unref());
    void Promise.race([vitest.close().catch(() => {}), bounded]).then(() => {
      try {
        process.kill(-process.pid, 'SIGKILL');
      } finally {
        process.exit(0);
      }
    });
  });
}

if (!process.send) {
  process.stderr.write('the warm vitest runner must be started by fixloop (it needs IPC)\n');
  process.exit(2);
}
void main();
