/**
 * `fixloop demo`: the whole loop, offline, on a sample project, with a recorded model and a local
 * escalation sink.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDaemon } from '../app/daemon.js';
import { isoAt, systemClock } from '../clock.js';
import { loadConfig } from '../config/load.js';
import { fixloopPackage } from '../fs/package-root.js';
import { createGit } from '../git/git.js';
import { DaemonConsole } from '../output/console.js';
import { formatStatus } from '../output/print-status.js';
import { statusReport } from '../status/report.js';
import type { State } from '../store/schema.js';
import { enqueue } from '../tasks/queue.js';
import { startDemoModel, startSink } from './model.js';
import { writeSample } from './sample.js';

const nodeModules = () => join(fixloopPackage().root, 'node_modules');

export interface DemoIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  color: boolean;
  keep: boolean;
  /** Inherited environment entries the test runs need (PATH, HOME). */
  env: Readonly<Record<string, string | undefined>>;
}

/** Runs the demo; resolves to the exit code. */
export async function runDemo(io: DemoIO): Promise<number> {
  const out = new DaemonConsole(io.stdout, io.color);
  const s = out.style;
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'fixloop-demo-'));
  await writeSample(dir, createGit({ PATH: io.env.PATH ?? '', HOME: io.env.HOME ?? dir }));
  symlinkSync(nodeModules(), join(dir, 'node_modules'), 'dir');
  out.raw(s.bold('fixloop demo') + s.dim(' — the whole loop, offline, in about 10 seconds'));
  out.raw(
    s.yellow(
      'The model in this demo is a local recorded demo model, NOT Claude: ' +
        'its answers are scripted.',
    ),
  );
  out.line('Demo', `Sample project (vitest): ${dir}`);

  const model = await startDemoModel((line) =>
    out.line('Model', s.yellow(`(recorded demo model, not Claude) ${line}`)),
  );
  const sink = await startSink((line) => out.line('Sink', s.cyan(`escalation received: ${line}`)));
  const config = loadConfig({
    cwd: dir,
    env: {
      PATH: io.env.PATH,
      HOME: io.env.HOME,
      XDG_CACHE_HOME: io.env.XDG_CACHE_HOME,
      ANTHROPIC_API_KEY: 'demo-key-not-a-real-key',
      ANTHROPIC_BASE_URL: model.url,
      CLAUDE_MODEL: 'demo-model',
      FILE_WATCH_DEBOUNCE_SECONDS: '0.3',
      // The fix waits for a 1 s pause in your saves (5 s by default) before writing.
      FIX_QUIET_SECONDS: '1',
      MAX_RETRIES: '1',
      RETRY_MIN_DELAY_MS: '300',
      RETRY_MAX_DELAY_MS: '600',
      CIRCUIT_BREAKER_THRESHOLD: '1',
      EMAIL_WEBHOOK_URL: sink.url,
      HEARTBEAT_INTERVAL_SECONDS: '2',
      SHUTDOWN_TIMEOUT_SECONDS: '5',
    },
  });
  const { orchestrator, store, logger } = buildDaemon(config, {
    stdout: io.stdout,
    color: io.color,
    console: out,
  });
  const stop = () => void orchestrator.stop('Demo interrupted');
  process.once('SIGINT', stop);
  let code = 0;
  try {
    await orchestrator.start();
    const until = async (what: string, ok: (st: State) => boolean, ms = 30_000) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if (ok(await store.read())) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the demo waited ${ms / 1000} s for ${what}`);
    };
    const save = (rel: string, from: string, to: string) =>
      writeFileSync(join(dir, rel), readFileSync(join(dir, rel), 'utf8').replace(from, to));
    const secondLine = (rel: string) =>
      readFileSync(join(dir, rel), 'utf8').split('\n')[1]?.trim() ?? '';

    out.raw('');
    out.line('Demo', s.bold('1. You save a bug: add() now subtracts (src/math.js).'));
    save('src/math.js', 'return a + b;', 'return a - b;');
    await until('the fix of src/math.js', (st) =>
      st.queues.completed.some((t) => t.file_path === 'src/math.js' && t.outcome === 'fixed'),
    );
    out.line('Demo', `src/math.js now reads: ${s.green(secondLine('src/math.js'))}`);

    out.raw('');
    out.line(
      'Demo',
      s.bold('2. You save a bug the demo model cannot fix: withTax() uses 1.02 (src/price.js).'),
    );
    save('src/price.js', 'amount * 1.2 ', 'amount * 1.02 ');
    await until(
      'the escalation of src/price.js',
      (st) =>
        st.queues.failed.some((t) => t.file_path === 'src/price.js') && sink.received.length > 0,
    );
    out.line(
      'Demo',
      `src/price.js is untouched by the failed attempts: ${s.yellow(secondLine('src/price.js'))}`,
    );

    out.raw('');
    out.line(
      'Demo',
      s.bold(
        '3. You save src/price.js again: its circuit breaker is open, so the model is not called.',
      ),
    );
    save('src/price.js', 'return Math', 'return /* still broken */ Math');
    await until(
      'the breaker to reject the task',
      (st) => st.queues.failed.filter((t) => t.file_path === 'src/price.js').length >= 2,
    );

    out.raw('');
    out.line(
      'Demo',
      s.bold('4. fixloop add "add a clamp() helper": a work order, done on a branch of its own.'),
    );
    const order = await store.update(
      (st) =>
        enqueue(
          st,
          {
            type: 'work',
            file_path: null,
            description: 'add a clamp(n, lo, hi) helper with a test',
            files: ['src/clamp.js'],
            source: { kind: 'cli' },
          },
          isoAt(systemClock),
        ).task,
    );
    await until('the work order', (st) =>
      st.queues.completed.some((t) => t.id === order.id && t.outcome === 'done'),
    );
    const untouched = existsSync(join(dir, 'src/clamp.js')) ? 'changed (!)' : 'untouched';
    const branch = s.green(`fixloop/${order.id}`);
    out.line(
      'Demo',
      `Branch ${branch} holds the change; your working tree is ${untouched} ` +
        `(bring it in with: fixloop apply ${order.id})`,
    );

    out.raw('');
    out.line('Demo', s.bold('5. fixloop status:'));
    const options = { heartbeatMs: config.daemon.heartbeatMs, stateFile: config.stateFile };
    out.raw(formatStatus(statusReport(await store.read(), options, systemClock.now()), s));
  } catch (error) {
    out.line('Demo', s.red(`✗ ${(error as Error).message}`));
    code = 1;
  } finally {
    await orchestrator.stop('Demo finished');
    process.off('SIGINT', stop);
    logger.flush();
    await Promise.all([model.close(), sink.close()]);
    out.raw('');
    const where = `state file ${config.stateFile}, log ${join(config.logDir, 'automation.log')}`;
    if (io.keep) out.line('Demo', `Kept the sample project, ${where}`);
    else {
      rmSync(dir, { recursive: true, force: true });
      // Its folder in fixloop's cache (worktrees, the baseline's copy) goes with it.
      rmSync(config.cacheDir, { recursive: true, force: true });
      out.line(
        'Demo',
        `The demo's ${where} lived in ${dir} and were removed ` +
          '(keep them with: fixloop demo --keep).',
      );
    }
    const result = code === 0 ? s.green('✓ Demo complete') : s.red('✗ Demo failed');
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    out.line(
      'Demo',
      `${result} in ${secs} s. Run it on your project: ANTHROPIC_API_KEY=… fixloop watch`,
    );
  }
  return code;
}
