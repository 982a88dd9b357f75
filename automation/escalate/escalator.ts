/**
 * Escalator: decides what to escalate, applies the per-fingerprint cooldown, delivers to each
 * channel independently, records it all.
 */
import type { Verdict } from '../check/verdict.js';
import { type Clock, isoAt } from '../clock.js';
import type { HealthReport } from '../daemon/health.js';
import type { TaskObserver } from '../daemon/seams.js';
import type { Logger } from '../log/logger.js';
import type { DaemonConsole } from '../output/console.js';
import { redactDeep } from '../redact.js';
import type { Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import {
  DEFAULT_DELIVERY,
  type DeliveryOptions,
  deliver,
  describeDeliveryError,
} from './deliver.js';
import { type EscalationEvent, eventForTask, fingerprintOf, newEscalationId } from './event.js';
import type { GitHubChannel } from './github.js';
import {
  type Channel,
  type ChannelStatus,
  type EscalationRecord,
  recordOrSuppress,
  records,
} from './records.js';
import { recoverIssue } from './recovery.js';

export interface EscalatorDeps {
  store: StateStore;
  clock: Clock;
  logger: Logger;
  console: DaemonConsole;
  channels: Channel[];
  github?: GitHubChannel | undefined;
  cooldownMs: number;
  closeOnFix: boolean;
  secrets: readonly string[];
  context: { project: string; projectRoot: string; host: string };
  delivery?: DeliveryOptions;
  /** Counts escalations that were sent (session statistics). */
  onEscalated?: () => void;
}

export class Escalator implements TaskObserver {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: EscalatorDeps) {}

  taskFinished(task: Task, verdict: Verdict | undefined): void {
    // An order from a GitHub issue reports on its issue (intake/), not through escalation.
    if (task.source?.kind === 'github') return;
    if (task.outcome === 'fixed' || task.outcome === 'clean' || task.outcome === 'done') {
      const github = this.deps.github;
      if (github && task.file_path) this.track(recoverIssue(this.deps, github, task));
      return;
    }
    const event = eventForTask(task, verdict, this.ctx());
    if (event) this.track(this.escalate(event));
  }

  taskNeedsInput(task: Task): void {
    if (task.source?.kind === 'github') return;
    const event = eventForTask({ ...task, status: 'needs_input' }, undefined, this.ctx());
    if (event) this.track(this.escalate(event));
  }

  /** Called after each health check; a check failing twice in a row is escalated. */
  healthFailed(report: HealthReport, consecutive: number): void {
    if (consecutive !== 2) return;
    const bad = Object.entries(report.checks).filter(([, c]) => !c.ok);
    const reason = bad.map(([n, c]) => `${n}: ${c.detail}`).join('; ');
    const names = bad.map(([n]) => n).join(',');
    this.track(
      this.escalate(
        this.plainEvent(
          'health_failed',
          'error',
          `fixloop is unhealthy: ${names}`,
          reason,
          fingerprintOf('health_failed', null, names),
        ),
      ),
    );
  }

  /** Sends a test message to every configured channel (doctor --escalation-test). */
  sendTest(): Promise<EscalationRecord | undefined> {
    const id = newEscalationId();
    return this.escalate(
      this.plainEvent(
        'test',
        'info',
        'fixloop escalation test',
        'This is a test message from fixloop doctor --escalation-test.',
        id,
      ),
    );
  }

  /** Waits (bounded) for deliveries still under way, e.g. at shutdown. */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((r) => setTimeout(r, timeoutMs).unref()),
    ]);
  }

  /** Records, and unless within the cooldown, delivers an event. Never throws. */
  async escalate(raw: EscalationEvent): Promise<EscalationRecord | undefined> {
    const event = redactDeep(raw, this.deps.secrets);
    const now = this.deps.clock.now();
    try {
      const channels = this.deps.channels.map((c) => c.name);
      const decision = await this.deps.store.update((s) =>
        recordOrSuppress(s, event, { now, cooldownMs: this.deps.cooldownMs, channels }),
      );
      if (decision.suppressed) {
        this.deps.logger.info(
          { fingerprint: event.fingerprint, repeats: decision.record.repeat_count },
          'escalation suppressed by cooldown',
        );
        this.deps.console.line(
          'Escalator',
          `Repeat of ${decision.record.id} within the cooldown ` +
            `(${decision.record.repeat_count}×); not sent again`,
        );
        return decision.record;
      }
      const record = decision.record;
      if (this.deps.channels.length === 0) {
        this.deps.console.line('Escalator', `${event.title} (no escalation channel configured)`);
        return record;
      }
      const sendable = { ...event, repeat_count: decision.repeats };
      await Promise.allSettled(this.deps.channels.map((c) => this.sendTo(c, sendable, record)));
      const final = (await this.deps.store.read()).escalations.find((r) => r.id === record.id) as
        | EscalationRecord
        | undefined;
      const summary = Object.entries(final?.channels ?? {})
        .map(([n, c]) => `${n} ${c.status === 'sent' ? '✓' : `✗ (${c.error})`}`)
        .join(', ');
      this.deps.console.line('Escalator', `${event.title}: ${summary}`);
      if (Object.values(final?.channels ?? {}).some((c) => c.status === 'sent'))
        this.deps.onEscalated?.();
      return final;
    } catch (error) {
      this.deps.logger.error(
        { err: error, fingerprint: event.fingerprint },
        'escalation could not be recorded',
      );
      return undefined;
    }
  }

  private async sendTo(
    channel: Channel,
    event: EscalationEvent,
    record: EscalationRecord,
  ): Promise<void> {
    let status: ChannelStatus;
    try {
      const { value, tries } = await deliver(
        (signal) => channel.send(event, signal, record.github_issue),
        this.deps.delivery ?? DEFAULT_DELIVERY,
      );
      status = {
        ...value,
        status: 'sent',
        at: isoAt(this.deps.clock),
        tries,
      };
    } catch (error) {
      status = {
        status: 'failed',
        at: isoAt(this.deps.clock),
        error: describeDeliveryError(error),
      };
      this.deps.logger.warn(
        { channel: channel.name, escalation: record.id, error: status.error },
        'escalation delivery failed',
      );
    }
    await this.deps.store
      .update((s) => {
        const r = records(s).find((x) => x.id === record.id);
        if (!r) return;
        r.channels[channel.name] = status;
        if (typeof status.issue_number === 'number') r.github_issue = status.issue_number;
      })
      .catch((error) => this.deps.logger.error({ err: error }, 'escalation outcome not recorded'));
  }

  /**
   * A later fixed or clean task for a file comments "recovered" on its open issue (and closes it
   * when configured).
   */
  private plainEvent(
    kind: EscalationEvent['kind'],
    level: EscalationEvent['level'],
    title: string,
    reason: string,
    fingerprint: string,
  ): EscalationEvent {
    return {
      source: 'fixloop',
      version: 1,
      id: newEscalationId(),
      kind,
      level,
      fingerprint,
      title,
      ...this.pick(),
      file: null,
      task_id: null,
      reason,
      attempts: 0,
      failing_test: null,
      retry_command: null,
      repeat_count: 0,
      created_at: isoAt(this.deps.clock),
    };
  }

  private pick() {
    return {
      project: this.deps.context.project,
      project_root: this.deps.context.projectRoot,
      host: this.deps.context.host,
    };
  }

  private ctx() {
    return { ...this.deps.context, now: isoAt(this.deps.clock) };
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}
