/** `fixloop worker`: takes work orders from the shared queue on this machine until a signal. */
import { buildSharedWorker } from '../app/shared-worker.js';
import type { RawEnv } from '../config/env-source.js';
import { loadConfig } from '../config/load.js';
import { wantsColor } from '../output/style.js';
import { ExitCode } from './exit-codes.js';

/** Runs the workers; resolves to 0 once stopped by SIGINT or SIGTERM. */
export async function runWorker(io: {
  cwd: string;
  env: RawEnv;
  stdout: { write(s: string): unknown; isTTY?: boolean };
  concurrency: number | undefined;
}): Promise<number> {
  const config = loadConfig({ cwd: io.cwd, env: io.env });
  const worker = await buildSharedWorker(config, {
    stdout: io.stdout,
    color: wantsColor(io.stdout, io.env),
    concurrency: io.concurrency ?? config.work.maxWorkers,
  });
  let stop!: (signal: NodeJS.Signals) => void;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    stop = resolve;
  });
  // `on`, not `once`: signal-exit (proper-lockfile) re-raises a signal nobody else listens to.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await worker.start();
    await worker.stop(`Received ${await stopped}`);
    return ExitCode.ok;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
