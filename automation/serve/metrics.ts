/**
 * Prometheus metrics (prom-client): counters kept in-process, gauges read from the state at scrape
 * time.
 */

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Verdict } from '../check/verdict.js';
import type { TaskObserver } from '../daemon/seams.js';
import { workersReport } from '../status/workers.js';
import { QUEUE_NAMES, type State, type Task } from '../store/schema.js';

export class Metrics implements TaskObserver {
  readonly registry = new Registry();
  private readonly finished = new Counter({
    name: 'fixloop_tasks_finished_total',
    help: 'Tasks finished, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly attempts = new Counter({
    name: 'fixloop_fix_attempts_total',
    help: 'Fix attempts, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly taskSeconds = new Histogram({
    name: 'fixloop_task_duration_seconds',
    help: 'Time from taking a task to finishing it',
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  private readonly testSeconds = new Histogram({
    name: 'fixloop_test_run_duration_seconds',
    help: 'Duration of the final test run of a task',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly queue = new Gauge({
    name: 'fixloop_queue_tasks',
    help: 'Tasks per queue',
    labelNames: ['queue'],
    registers: [this.registry],
  });
  private readonly tokens = new Gauge({
    name: 'fixloop_tokens',
    help: 'Tokens used in this run, by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly cost = new Gauge({
    name: 'fixloop_cost_usd',
    help: 'Model spend in US dollars',
    labelNames: ['window'],
    registers: [this.registry],
  });
  private readonly breakers = new Gauge({
    name: 'fixloop_breakers',
    help: 'Per-file circuit breakers, by state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  private readonly escalations = new Gauge({
    name: 'fixloop_escalations',
    help: 'Recorded escalation deliveries, by channel and status',
    labelNames: ['channel', 'status'],
    registers: [this.registry],
  });
  private readonly workers = new Gauge({
    name: 'fixloop_workers',
    help: 'Work-order workers, by status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly heartbeat = new Gauge({
    name: 'fixloop_heartbeat_age_seconds',
    help: 'Seconds since the last heartbeat',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fixloop_' });
  }

  taskFinished(task: Task, verdict: Verdict | undefined): void {
    this.finished.inc({ outcome: task.outcome ?? 'unknown' });
    const started = typeof task.started_at === 'string' ? Date.parse(task.started_at) : NaN;
    if (!Number.isNaN(started))
      this.taskSeconds.observe(Math.max(0, (Date.parse(task.updated_at) - started) / 1000));
    if (verdict) this.testSeconds.observe(verdict.duration_ms / 1000);
    for (const a of task.attempts ?? [])
      if (Date.parse(a.started_at) >= started || Number.isNaN(started))
        this.attempts.inc({ outcome: a.outcome });
  }

  /** Prometheus text for the current state. */
  async render(state: State, nowMs: number): Promise<string> {
    for (const q of QUEUE_NAMES) this.queue.set({ queue: q }, state.queues[q].length);
    const usage = state.usage as {
      run?: Record<string, number>;
      last_hour_cost_usd?: number;
      total?: Record<string, number>;
    };
    for (const kind of ['input_tokens', 'output_tokens', 'cache_write_tokens', 'cache_read_tokens'])
      this.tokens.set({ kind: kind.replace('_tokens', '') }, usage.run?.[kind] ?? 0);
    this.cost.set({ window: 'run' }, usage.run?.cost_usd ?? 0);
    this.cost.set({ window: 'last_hour' }, usage.last_hour_cost_usd ?? 0);
    this.cost.set({ window: 'total' }, usage.total?.cost_usd ?? 0);
    this.breakers.reset();
    for (const s of ['closed', 'open', 'half_open']) this.breakers.set({ state: s }, 0);
    for (const b of Object.values(state.breakers) as Array<{ state?: string }>)
      this.breakers.inc({ state: b.state ?? 'closed' });
    this.escalations.reset();
    for (const e of state.escalations as Array<{ channels?: Record<string, { status: string }> }>) {
      for (const [channel, c] of Object.entries(e.channels ?? {}))
        this.escalations.inc({ channel, status: c.status });
    }
    this.workers.reset();
    for (const st of ['idle', 'busy', 'stopped', 'lost']) this.workers.set({ status: st }, 0);
    for (const w of workersReport(state, nowMs)) this.workers.inc({ status: w.status });
    const beat = state.processes.orchestrator?.last_heartbeat;
    this.heartbeat.set(beat ? Math.max(0, (nowMs - Date.parse(beat)) / 1000) : -1);
    return this.registry.metrics();
  }
}
