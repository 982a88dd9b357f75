/** The daemon's vital signs: the heartbeat in the state file, and the periodic health check. */
import { isoAt } from '../clock.js';
import { DaemonRunningError } from './errors.js';
import { type HealthProbe, runHealthCheck } from './health.js';
import type { Me } from './ownership.js';
import type { CoreDeps, TaskObserver } from './seams.js';

export interface VitalsDeps extends Pick<CoreDeps, 'store' | 'clock' | 'logger' | 'console'> {
  me: Me;
  stateFile: string;
  /** The probes of one health check (the watcher's, the runner's, the API's…). */
  probes: () => HealthProbe[];
  observers: readonly TaskObserver[];
  /** Another daemon now owns the state file: this one must stop. */
  onOwnershipLost: (owner: DaemonRunningError | undefined) => void;
}

export class Vitals {
  private heartbeatFailures = 0;
  private healthFailuresInARow = 0;

  constructor(private readonly deps: VitalsDeps) {}

  /** Writes the heartbeat; a failure (disk full, lock trouble) is said once and survived. */
  async heartbeat(): Promise<void> {
    const { me } = this.deps;
    try {
      const owner = await this.deps.store.update((state) => {
        const p = state.processes.orchestrator;
        if (!p || p.pid !== me.pid || p.host !== me.host)
          return p ? { pid: p.pid, host: p.host } : null;
        p.last_heartbeat = isoAt(this.deps.clock);
        return undefined;
      });
      this.heartbeatFailures = 0;
      if (owner !== undefined) {
        const error = owner
          ? new DaemonRunningError(owner.pid, owner.host, this.deps.stateFile)
          : undefined;
        this.deps.onOwnershipLost(error);
      }
    } catch (error) {
      if (this.heartbeatFailures++ === 0) {
        const message = `Heartbeat could not be written: ${(error as Error).message}`;
        this.deps.console.line('Orchestrator', this.deps.console.style.yellow(message));
      }
      this.deps.logger.error({ err: error }, 'heartbeat failed');
    }
  }

  /** Runs every probe, records the report (itself the "state writable" check), tells observers. */
  async healthCheck(): Promise<void> {
    const { me, console: out } = this.deps;
    const report = await runHealthCheck(this.deps.probes(), () => isoAt(this.deps.clock));
    report.checks.state = { ok: true, detail: null };
    await this.deps.store
      .update((state) => {
        const p = state.processes.orchestrator;
        if (p && p.pid === me.pid) p.last_health_check = { ...report };
      })
      .catch((error) => {
        const detail = `state not writable: ${(error as Error).message}`;
        report.checks.state = { ok: false, detail };
        report.healthy = false;
      });
    const bad = Object.entries(report.checks).filter(([, c]) => !c.ok);
    this.healthFailuresInARow = bad.length ? this.healthFailuresInARow + 1 : 0;
    if (bad.length) {
      for (const o of this.deps.observers) o.healthFailed?.(report, this.healthFailuresInARow);
    }
    this.deps.logger[bad.length ? 'warn' : 'info']({ health: report }, 'health check');
    if (bad.length) {
      const text = `Health check: ${bad.map(([n, c]) => `${n}: ${c.detail}`).join('; ')}`;
      out.line('Orchestrator', out.style.yellow(text));
    }
  }
}
