/** `fixloop watch` (the default command): runs the daemon in the foreground until a signal. */
import { buildDaemon } from '../app/daemon.js';
import type { RawEnv } from '../config/env-source.js';
import { loadConfig } from '../config/load.js';
import { wantsColor } from '../output/style.js';

/** Runs the daemon; resolves to its exit code once it has stopped. */
export async function watch(io: {
  cwd: string;
  env: RawEnv;
  stdout: { write(s: string): unknown; isTTY?: boolean };
}): Promise<number> {
  const config = loadConfig({ cwd: io.cwd, env: io.env });
  const { orchestrator, logger } = buildDaemon(config, {
    stdout: io.stdout,
    color: wantsColor(io.stdout, io.env),
  });
  const onSignal = (signal: NodeJS.Signals) => void orchestrator.stop(`Received ${signal}`);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await orchestrator.start();
    return await orchestrator.finished;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    logger.flush();
  }
}
