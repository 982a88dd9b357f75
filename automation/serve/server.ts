/**
 * The local status server (STATUS_PORT, 127.0.0.1 only): /health, /queue, /tasks/:id, /workers,
 * /metrics,
 * /events and the dashboard.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { Sandbox } from '../fix/safety/sandbox.js';
import { repositoryOf } from '../git/repository.js';
import type { Logger } from '../log/logger.js';
import { redactedJson } from '../redact.js';
import { statusReport } from '../status/report.js';
import { workersReport } from '../status/workers.js';
import type { State } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import { findTask, pendingInOrder } from '../tasks/queue.js';
import { transcriptOf } from '../transcript/read.js';
import { projectNames } from '../workspace/named-files.js';
import { DASHBOARD_HTML } from './dashboard.js';
import { StatusPortError } from './errors.js';
import { localHost, sendJson } from './http.js';
import type { Metrics } from './metrics.js';
import { postTask } from './post-task.js';
import { publicValue, seesAll } from './public-view.js';

/** Connections at once (idle sockets cannot exhaust the daemon's file handles). */
const MAX_CONNECTIONS = 64;
/** Dashboards following /events at once. */
const MAX_STREAMS = 16;

/** What the dashboard and /events show: the status report and the queues, newest finished first. */
export function snapshot(state: State, config: Config, clock: Clock) {
  const options = { heartbeatMs: config.daemon.heartbeatMs, stateFile: config.stateFile };
  const status = statusReport(state, options, clock.now());
  const finished = [...state.queues.completed, ...state.queues.failed]
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at))
    .slice(0, 20);
  return {
    status,
    queues: {
      pending: pendingInOrder(state),
      in_progress: state.queues.in_progress,
      needs_input: state.queues.needs_input,
      finished,
    },
    workers: workersReport(state, clock.now()),
  };
}

export class StatusServer {
  private server: Server | undefined;
  /** Open dashboard streams, and whether each may see every field. */
  private readonly streams = new Map<ServerResponse, boolean>();
  private timer: NodeJS.Timeout | undefined;
  private names: Sandbox | undefined;
  private inRepo: boolean | undefined;
  url = '';

  constructor(
    private readonly deps: {
      config: Config;
      store: StateStore;
      clock: Clock;
      logger: Logger;
      metrics: Metrics;
      port: number;
      eventIntervalMs?: number;
      /** How long a connection may take to send its request (idle sockets are closed after). */
      idleMs?: number;
      /** The state as shown: with the shared queue's orders and workers laid over it. */
      view?: (state: State) => Promise<State>;
    },
  ) {}

  /** The state file, seen through the shared queue when there is one (Redis away: the file). */
  private async read(): Promise<State> {
    const state = await this.deps.store.read();
    return this.deps.view ? this.deps.view(state).catch(() => state) : state;
  }

  async start(): Promise<void> {
    const idleMs = this.deps.idleMs ?? 10_000;
    const server = createServer(
      { connectionsCheckingInterval: Math.min(1000, idleMs / 2) },
      (req, res) =>
        void this.handle(req, res).catch((error) => {
          this.deps.logger.error({ err: error, url: req.url }, 'status server error');
          if (!res.headersSent) sendJson(res, 500, { error: 'internal error' }, []);
          else res.end();
        }),
    );
    // Bounded: a flood of idle or slow sockets is cut off instead of holding file handles.
    server.maxConnections = MAX_CONNECTIONS;
    server.headersTimeout = idleMs;
    server.requestTimeout = idleMs * 1.5;
    server.keepAliveTimeout = Math.min(5_000, idleMs);
    server.on('clientError', (_error, socket) => socket.destroy());
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new StatusPortError(this.deps.port, error)));
      server.listen(this.deps.port, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    this.timer = setInterval(() => void this.broadcast(), this.deps.eventIntervalMs ?? 1000);
    this.timer.unref();
  }

  /** Connections open right now (bounded by MAX_CONNECTIONS). */
  connectionCount(): Promise<number> {
    return new Promise((resolve) => {
      if (!this.server) return resolve(0);
      this.server.getConnections((_error, n) => resolve(n ?? 0));
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const s of this.streams.keys()) s.end();
    this.streams.clear();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server?.closeAllConnections?.();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = (status: number, body: unknown) =>
      sendJson(res, status, body, this.deps.config.secrets);
    if (!localHost(req)) return json(403, { error: 'only requests to 127.0.0.1 or localhost' });
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'POST' && path === '/tasks') {
      const answer = await postTask(req, this.postDeps());
      if (answer.status === 201)
        this.deps.logger.info({ task: (answer.body as { id: string }).id }, 'work order by POST');
      return json(answer.status, answer.body);
    }
    if (req.method !== 'GET') return json(405, { error: 'only GET (and POST /tasks)' });
    if (path === '/') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      return void res.end(DASHBOARD_HTML);
    }
    const all = seesAll(req, this.deps.config.daemon.statusToken);
    const shown = (value: unknown) => (all ? value : publicValue(value));
    if (path === '/events') return this.subscribe(res, all);
    const state = await this.read();
    if (path === '/health') {
      const s = snapshot(state, this.deps.config, this.deps.clock).status;
      const healthy = s.daemon === 'running';
      return json(healthy ? 200 : 503, {
        status: healthy ? 'ok' : s.daemon,
        daemon: s.daemon,
        stale_reason: s.stale_reason,
        pid: s.pid,
        last_heartbeat: s.last_heartbeat,
        heartbeat_age_seconds: s.heartbeat_age_seconds,
        queues: s.queues,
      });
    }
    if (path === '/workers')
      return json(200, { workers: workersReport(state, this.deps.clock.now()) });
    if (path === '/queue')
      return json(200, shown(snapshot(state, this.deps.config, this.deps.clock).queues));
    const log = /^\/tasks\/(task_[0-9a-f]{8})\/log$/.exec(path);
    const ofLog = log && findTask(state, log[1] ?? '');
    if (log && !ofLog) return json(404, { error: `no task ${log[1]}` });
    if (ofLog && !all) return json(403, { error: 'a transcript needs the STATUS_TOKEN' });
    if (ofLog) return json(200, { entries: await transcriptOf(this.deps.config, ofLog.task) });
    const task = /^\/tasks\/(task_[0-9a-f]{8})$/.exec(path);
    if (task) {
      const found = findTask(state, task[1] ?? '');
      return found ? json(200, shown(found.task)) : json(404, { error: `no task ${task[1]}` });
    }
    if (path === '/metrics') {
      const text = await this.deps.metrics.render(state, this.deps.clock.now());
      res.writeHead(200, { 'content-type': this.deps.metrics.registry.contentType });
      return void res.end(text);
    }
    json(404, {
      error: 'not found',
      endpoints: [
        '/',
        '/health',
        '/queue',
        '/tasks/:id',
        '/tasks/:id/log',
        '/workers',
        '/metrics',
        '/events',
        'POST /tasks',
      ],
    });
  }

  private postDeps() {
    const { store, clock, config } = this.deps;
    const root = config.projectRoot;
    this.inRepo ??= repositoryOf(root) !== undefined;
    const known = this.inRepo;
    this.names ??= projectNames(config);
    const names = this.names;
    return {
      ...{ store, clock, token: config.daemon.statusToken, inRepository: () => known },
      nameRefusal: (file: string) => names.nameRefusal(file),
    };
  }

  /** A dashboard's event stream; `all`: it may see every field (else the public view). */
  private async subscribe(res: ServerResponse, all: boolean): Promise<void> {
    if (this.streams.size >= MAX_STREAMS) {
      return sendJson(res, 503, { error: 'too many dashboards open' }, this.deps.config.secrets);
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    this.streams.set(res, all);
    res.on('close', () => this.streams.delete(res));
    const snap = snapshot(await this.read(), this.deps.config, this.deps.clock);
    res.write(
      `data: ${redactedJson(all ? snap : publicValue(snap), this.deps.config.secrets)}\n\n`,
    );
  }

  private async broadcast(): Promise<void> {
    if (this.streams.size === 0) return;
    try {
      const snap = snapshot(await this.read(), this.deps.config, this.deps.clock);
      const { secrets } = this.deps.config;
      const full = `data: ${redactedJson(snap, secrets)}\n\n`;
      const open = `data: ${redactedJson(publicValue(snap), secrets)}\n\n`;
      for (const [s, all] of this.streams) s.write(all ? full : open);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not push dashboard events');
    }
  }
}
