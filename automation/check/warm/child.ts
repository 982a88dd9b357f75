/**
 * A warm runner's child process: one instance of the project's own test runner (vitest or jest,
 * named in its start argument), kept between runs and driven over IPC by warm-child.ts. The
 * runner's part is a driver (vitest-driver.ts, jest/driver.ts); this file speaks the protocol.
 */
import { PROGRESS_ENV } from '../instrument/progress.js';
import { UnsupportedRunnerError, type WarmDriver } from './driver.js';
import type { RunRequest, WarmMessage, WarmRequest, WarmStart } from './protocol.js';

const send = (message: WarmMessage) => process.send?.(message);
const start = JSON.parse(process.argv[2] ?? '{}') as WarmStart;
const cwd = process.cwd();

/** The driver of the runner this child keeps (each is loaded only when asked for). */
async function open(): Promise<WarmDriver> {
  if (start.runner === 'jest') {
    const { openJestDriver } = await import('./jest/driver.js');
    return openJestDriver(cwd, start.scriptArgs);
  }
  const { openVitestDriver } = await import('./vitest-driver.js');
  return openVitestDriver(cwd, start.scriptArgs);
}

async function run(driver: WarmDriver, req: RunRequest): Promise<void> {
  const started = performance.now();
  // The progress reporter in the instance writes where this run's checker reads.
  if (req.progressFile) process.env[PROGRESS_ENV] = req.progressFile;
  else delete process.env[PROGRESS_ENV];
  const { exitCode, output, report } = await driver.run(req);
  send({
    id: req.id,
    ok: true,
    exitCode,
    output,
    report,
    durationMs: Math.round(performance.now() - started),
    rss: process.memoryUsage().rss,
  });
}

async function main(): Promise<void> {
  let driver: WarmDriver;
  try {
    driver = await open();
  } catch (error) {
    send({
      type: 'fatal',
      error: (error as Error).message,
      permanent: error instanceof UnsupportedRunnerError,
    });
    process.exit(1);
  }
  send({ type: 'ready', version: driver.version, restartFiles: driver.restartFiles() });

  let queue = Promise.resolve();
  process.on('message', (req: WarmRequest) => {
    queue = queue.then(async () => {
      if (req.kind === 'close') {
        await driver.close().catch(() => {});
        process.exit(0);
      }
      await run(driver, req).catch((error: Error) =>
        send({ id: req.id, ok: false, error: error.stack ?? error.message }),
      );
    });
  });
  // The daemon is gone (even SIGKILLed): close, then end the whole group (the test workers).
  process.on('disconnect', () => {
    const bounded = new Promise((r) => setTimeout(r, 1000).unref());
    void Promise.race([driver.close().catch(() => {}), bounded]).then(() => {
      try {
        process.kill(-process.pid, 'SIGKILL');
      } finally {
        process.exit(0);
      }
    });
  });
}

if (!process.send) {
  process.stderr.write('a warm runner must be started by fixloop (it needs IPC)\n');
  process.exit(2);
}
void main();
