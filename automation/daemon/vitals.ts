/** The daemon's vital signs: the heartbeat in the state file, and the periodic health check. */
import { isoAt } from '../clock.js';
import type { State } from '../store/schema.js';
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
  onOwnershipLost: (owner: DaemonRunningError) => void;
  /** Writes this daemon's entry into a state that has none (the file was replaced or emptied). */
  register: (state: State, now: string) => void;
}

/** The watcher is running (it is restarted when it dies); `problem` says why not. */
export const watcherProbe = (problem: () => string | null): HealthProbe => ({
  name: 'watcher',
  check: async () => problem(),
});

/** A test runner was detected. */
export const runnerProbe = (runner: string | undefined): HealthProbe => ({
  name: 'test_runner',
  check: async () => (runner ? null : 'no test runner detected; set TEST_COMMAND'),
});

export class Vitals {
  private heartbeatFailures = 0;
  private healthFailuresInARow = 0;

  constructor(private readonly deps: VitalsDeps) {}

  /** Writes the heartbeat; a failure (disk full, lock trouble) is said once and survived. */
  async heartbeat(): Promise<void> {
    const { me } = this.deps;
    try {
      const now = isoAt(this.deps.clock);
      const seen = await this.deps.store.update((state) => {
        const p = state.processes.orchestrator;
        // No entry is no takeover: the file was replaced or emptied, and this daemon goes on.
        if (!p) {
          this.deps.register(state, now);
          return 'registered' as const;
        }
        if (p.pid !== me.pid || p.host !== me.host) return { pid: p.pid, host: p.host };
        p.last_heartbeat = now;
        return undefined;
      });
      this.heartbeatFailures = 0;
      if (seen === 'registered') {
        const message =
          'The state file was replaced or emptied; this daemon registered itself again';
        this.deps.console.line('Orchestrator', this.deps.console.style.yellow(message));
        this.deps.logger.warn({}, 'state had no daemon entry; registered again');
      } else if (seen) {
        this.deps.onOwnershipLost(new DaemonRunningError(seen.pid, seen.host, this.deps.stateFile));
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
