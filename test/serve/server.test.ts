import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../automation/clock.js';
import { loadConfig } from '../../automation/config/load.js';
import { silentLogger } from '../../automation/log/logger.js';
import { Metrics } from '../../automation/serve/metrics.js';
import { StatusServer } from '../../automation/serve/server.js';
import { StateStore } from '../../automation/store/store.js';
import { runCli } from '../support/cli.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { tempDir } from '../support/tmp.js';

/** Every non-comment line of Prometheus text exposition: name{labels} value. */
const SAMPLE = new RegExp(
  [
    /^[a-zA-Z_:][a-zA-Z0-9_:]*/,
    /(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?/,
    / -?(\d+(\.\d+)?(e[+-]?\d+)?|NaN|\+Inf|-Inf)$/,
  ]
    .map((r) => r.source)
    .join(''),
);

describe('status server (STATUS_PORT)', () => {
  const servesEndpoints =
    'serves /health, /queue, /tasks/:id and /metrics from the running daemon, on 127.0.0.1 only';
  it(servesEndpoints, async () => {
    const cwd = tempDir();
    const daemon = startDaemon(cwd, {
      STATUS_PORT: '0',
      TEST_COMMAND: 'true',
      WATCH_EXTENSIONS: '.js',
    });
    await daemon.waitFor(/Status server and dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/);
    const url = (
      await waitForState(cwd, (s) => typeof s.processes.orchestrator?.status_url === 'string')
    ).processes.orchestrator?.status_url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const health = await fetch(`${url}health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      daemon: 'running',
      queues: { pending: 0 },
    });

    const id = (await runCli(['check'], { cwd })).stdout.trim();
    await waitForState(cwd, (s) => s.queues.completed.some((t) => t.id === id));
    const task = await fetch(`${url}tasks/${id}`);
    expect(task.status).toBe(200);
    expect(await task.json()).toMatchObject({ id, status: 'completed', outcome: 'clean' });
    expect((await fetch(`${url}tasks/task_00000000`)).status).toBe(404);
    // A clean check has no transcript file: its log is what its record tells.
    const log = await fetch(`${url}tasks/${id}/log`);
    expect(log.status).toBe(200);
    expect(await log.json()).toMatchObject({
      entries: [{ kind: 'end', status: 'completed', outcome: 'clean', task: id }],
    });
    expect((await fetch(`${url}tasks/task_00000000/log`)).status).toBe(404);
    const queue = (await (await fetch(`${url}queue`)).json()) as {
      finished: Array<{ id: string }>;
    };
    expect(queue.finished.map((t) => t.id)).toContain(id);

    const metrics = await fetch(`${url}metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await metrics.text();
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#')))
      expect(line).toMatch(SAMPLE);
    expect(text).toMatch(/^fixloop_tasks_finished_total\{outcome="clean"\} 1$/m);
    expect(text).toMatch(/^fixloop_queue_tasks\{queue="completed"\} 1$/m);
    expect(text).toMatch(/^# TYPE fixloop_task_duration_seconds histogram$/m);
    expect(text).toMatch(/^fixloop_breakers\{state="open"\} 0$/m);
    expect(text).toMatch(/^fixloop_cost_usd\{window="run"\} 0$/m);

    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    await expect(fetch(`${url}health`)).rejects.toThrow(); // stopped with the daemon
  }, 60_000);

  it('/health answers 503 when the heartbeat is stale or the daemon stopped', async () => {
    const cwd = tempDir();
    const config = loadConfig({ cwd, env: { HEARTBEAT_INTERVAL_SECONDS: '1' } });
    mkdirSync(join(cwd, 'state'));
    const write = (status: string, ageS: number) => {
      const at = new Date(Date.now() - ageS * 1000).toISOString();
      writeFileSync(
        config.stateFile,
        JSON.stringify({
          version: 1,
          processes: {
            orchestrator: {
              status,
              pid: process.pid,
              host: hostname(),
              project_root: cwd,
              started_at: at,
              last_heartbeat: at,
            },
          },
        }),
      );
    };
    const server = new StatusServer({
      config,
      store: new StateStore({ file: config.stateFile, lockFile: config.lockFile }),
      clock: systemClock,
      logger: silentLogger,
      metrics: new Metrics(),
      port: 0,
    });
    await server.start();
    try {
      write('running', 0.1);
      expect((await fetch(`${server.url}health`)).status).toBe(200);
      write('running', 10);
      const stale = await fetch(`${server.url}health`);
      expect(stale.status).toBe(503);
      expect(await stale.json()).toMatchObject({
        status: 'stale',
        stale_reason: expect.stringMatching(/last heartbeat/),
      });
      write('stopped', 0.1);
      expect((await fetch(`${server.url}health`)).status).toBe(503);
    } finally {
      await server.stop();
    }
  });

  it('caps connections and closes idle ones, which cannot exhaust file handles', async () => {
    const cwd = tempDir();
    const config = loadConfig({ cwd, env: {} });
    const server = new StatusServer({
      config,
      store: new StateStore({ file: config.stateFile, lockFile: config.lockFile }),
      clock: systemClock,
      logger: silentLogger,
      metrics: new Metrics(),
      port: 0,
      idleMs: 600,
    });
    await server.start();
    const sockets: Socket[] = [];
    try {
      const { port } = new URL(server.url);
      for (let i = 0; i < 100; i++) {
        const socket = connect(Number(port), '127.0.0.1');
        socket.on('error', () => {});
        sockets.push(socket);
      }
      await new Promise((r) => setTimeout(r, 300));
      const open = () => sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
      const connections = () => server.connectionCount();
      expect(await connections()).toBeLessThanOrEqual(64);
      // Sockets that never send a request are closed once the idle time has passed.
      for (let i = 0; i < 60 && (await connections()) > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await connections()).toBe(0);
      expect(open()).toBeLessThan(100);
      expect((await fetch(`${server.url}health`)).status).toBe(503); // answers again
    } finally {
      for (const s of sockets) s.destroy();
      await server.stop();
    }
  });
});
