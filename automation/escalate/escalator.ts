/**
 * Escalator: decides what to escalate, applies the per-fingerprint cooldown, delivers to each
 * channel independently, records it all.
 */
import type { Verdict } from '../check/verdict.js';
import { type Clock, isoAt } from '../clock.js';
import type { DaemonConsole } from '../daemon/console.js';
import type { HealthReport } from '../daemon/health.js';
import type { TaskObserver } from '../daemon/seams.js';
import type { Logger } from '../log/logger.js';
import { redactDeep } from '../redact.js';
import type { State, Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import {
  DEFAULT_DELIVERY,
  type DeliveryOptions,
  deliver,
  describeDeliveryError,
} from './deliver.js';
import { type EscalationEvent, eventForTask, fingerprintOf, newEscalationId } from './event.js';
import type { GitHubChannel } from './github.js';

export interface Channel {
  readonly name: string;
  send(
    e: EscalationEvent,
    signal: AbortSignal,
    knownIssue?: number,
  ): Promise<Record<string, unknown>>;
}

export type ChannelStatus = {
  status: 'pending' | 'sent' | 'failed';
  at?: string;
  tries?: number;
  error?: string;
  [k: string]: unknown;
};

export interface EscalationRecord {
  id: string;
  kind: string;
  level: string;
  fingerprint: string;
  title: string;
  file: string | null;
  task_id: string | null;
  created_at: string;
  last_seen_at: string;
  /** Occurrences suppressed by the cooldown since this escalation was sent. */
  repeat_count: number;
  channels: Record<string, ChannelStatus>;
  github_issue?: number;
  recovered_at?: string;
  [k: string]: unknown;
}

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

const records = (s: State) => s.escalations as unknown as EscalationRecord[];

export class Escalator implements TaskObserver {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: EscalatorDeps) {}

  taskFinished(task: Task, verdict: Verdict | undefined): void {
    if (task.outcome === 'fixed' || task.outcome === 'clean') {
      if (this.deps.github && task.file_path) this.track(this.recover(task));
      return;
    }
    const event = eventForTask(task, verdict, this.ctx());
    if (event) this.track(this.escalate(event));
  }

  taskNeedsInput(task: Task): void {
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
    const iso = new Date(now).toISOString();
    try {
      const decision = await this.deps.store.update((s) => {
        const previous = [...records(s)].reverse().find((r) => r.fingerprint === event.fingerprint);
        if (
          previous &&
          event.kind !== 'test' &&
          now - Date.parse(previous.created_at) < this.deps.cooldownMs
        ) {
          previous.repeat_count += 1;
          previous.last_seen_at = iso;
          return { suppressed: true as const, record: previous };
        }
        const record: EscalationRecord = {
          id: event.id,
          kind: event.kind,
          level: event.level,
          fingerprint: event.fingerprint,
          title: event.title,
          file: event.file,
          task_id: event.task_id,
          created_at: iso,
          last_seen_at: iso,
          repeat_count: 0,
          reason: event.reason,
          channels: Object.fromEntries(
            this.deps.channels.map((c) => [c.name, { status: 'pending' }]),
          ),
          ...(previous?.github_issue ? { github_issue: previous.github_issue } : {}),
        };
        records(s).push(record);
        for (const t of s.queues.failed.concat(s.queues.needs_input))
          if (t.id === event.task_id) t.escalation_ids = [...(t.escalation_ids ?? []), record.id];
        return {
          suppressed: false as const,
          record,
          repeats: previous ? previous.repeat_count : 0,
        };
      });
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
  private async recover(task: Task): Promise<void> {
    const github = this.deps.github;
    if (!github) return;
    const state = await this.deps.store.read();
    const open = [...records(state)]
      .reverse()
      .find(
        (r) => r.file === task.file_path && r.github_issue && !r.recovered_at && r.kind !== 'test',
      );
    const issue = open?.github_issue;
    if (!issue) return;
    const how = task.outcome === 'fixed' ? 'fixed' : 'found the tests passing for';
    const text =
      `Recovered: task \`${task.id}\` ${how} \`${task.file_path}\` ` + `at ${task.updated_at}.`;
    try {
      const { value } = await deliver(
        (signal) => github.recover(issue, text, this.deps.closeOnFix, signal),
        this.deps.delivery ?? DEFAULT_DELIVERY,
      );
      await this.deps.store.update((s) => {
        for (const r of records(s))
          if (r.github_issue === open.github_issue) r.recovered_at = isoAt(this.deps.clock);
      });
      this.deps.console.line(
        'Escalator',
        `${task.file_path} recovered: issue #${open.github_issue} ${value.action}`,
      );
    } catch (error) {
      this.deps.logger.warn(
        { issue: open.github_issue, error: describeDeliveryError(error) },
        'recovery comment failed',
      );
    }
  }

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
