/** Escalation records in the state: one per fingerprint per cooldown, repeats counted. */
import type { State } from '../store/schema.js';
import type { EscalationEvent } from './event.js';

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

/** The escalation records of a state (the schema keeps them loose). */
export const records = (s: State) => s.escalations as unknown as EscalationRecord[];

export type Decision =
  | { suppressed: true; record: EscalationRecord }
  | { suppressed: false; record: EscalationRecord; repeats: number };

/**
 * Inside StateStore.update: a repeat of a fingerprint within the cooldown is counted on the
 * earlier record (suppressed); anything else becomes a new record, pending on every channel.
 */
export function recordOrSuppress(
  s: State,
  event: EscalationEvent,
  options: { now: number; cooldownMs: number; channels: readonly string[] },
): Decision {
  const iso = new Date(options.now).toISOString();
  const previous = [...records(s)].reverse().find((r) => r.fingerprint === event.fingerprint);
  const withinCooldown =
    previous && options.now - Date.parse(previous.created_at) < options.cooldownMs;
  if (previous && event.kind !== 'test' && withinCooldown) {
    previous.repeat_count += 1;
    previous.last_seen_at = iso;
    return { suppressed: true, record: previous };
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
    channels: Object.fromEntries(options.channels.map((name) => [name, { status: 'pending' }])),
    ...(previous?.github_issue ? { github_issue: previous.github_issue } : {}),
  };
  records(s).push(record);
  for (const t of s.queues.failed.concat(s.queues.needs_input)) {
    if (t.id === event.task_id) t.escalation_ids = [...(t.escalation_ids ?? []), record.id];
  }
  return { suppressed: false, record, repeats: previous ? previous.repeat_count : 0 };
}
