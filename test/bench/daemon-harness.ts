/** An in-process daemon for benchmarks, with its console lines timestamped. */
import { buildDaemon } from '../../automation/app/daemon.js';
import { loadConfig } from '../../automation/config/load.js';

export async function benchDaemon(cwd: string, env: Record<string, string>) {
  const lines: Array<{ at: number; text: string }> = [];
  const config = loadConfig({
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HEARTBEAT_INTERVAL_SECONDS: '5',
      FIX_QUIET_SECONDS: '0',
      ...env,
    },
  });
  const stdout = {
    write: (s: string) => {
      lines.push({ at: performance.now(), text: s });
      return true;
    },
  };
  const built = buildDaemon(config, { stdout, color: false });
  await built.orchestrator.start();
  /** Resolves with the time of the first line matching `re` printed after `since`. */
  const waitLine = async (re: RegExp, since: number, timeoutMs = 60_000): Promise<number> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const hit = lines.find((l) => l.at >= since && re.test(l.text));
      if (hit) return hit.at;
      if (Date.now() > until) throw new Error(`no line ${re} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const stop = async () => {
    await built.orchestrator.stop('bench done');
    built.logger.flush();
  };
  return { ...built, config, lines, waitLine, stop };
}
