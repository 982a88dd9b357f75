/**
 * Escalation events: what went wrong, where, how badly, and a fingerprint that identifies repeats.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Verdict } from '../check/verdict.js';
import type { Task } from '../store/schema.js';

export type EscalationKind =
  | 'task_failed'
  | 'breaker_open'
  | 'cost_cap'
  | 'needs_input'
  | 'health_failed'
  | 'test';
export type Level = 'error' | 'warning' | 'info';

/** The documented payload (also the body of the email webhook POST). */
export interface EscalationEvent {
  source: 'fixloop';
  version: 1;
  id: string;
  kind: EscalationKind;
  level: Level;
  fingerprint: string;
  title: string;
  project: string;
  project_root: string;
  host: string;
  file: string | null;
  task_id: string | null;
  reason: string;
  attempts: number;
  failing_test: {
    name: string;
    file: string | null;
    /** `file:line[:col]` where it failed, when the runner said. */
    location?: string;
    message: string;
    excerpt: string;
  } | null;
  retry_command: string | null;
  repeat_count: number;
  created_at: string;
}

/**
 * Strips what changes between two occurrences of the same failure: numbers, hashes, durations,
 * quotes' contents stay.
 */
export function normaliseLine(line: string): string {
  return line
    .toLowerCase()
    .replace(/\([^)]*\d+ ms\)/g, '')
    .replace(/\b[0-9a-f]{7,}\b/g, 'H')
    .replace(/\d+(\.\d+)?/g, 'N')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

/** kind + file + normalised first failure line → 16 hex digits. */
export function fingerprintOf(
  kind: EscalationKind,
  file: string | null,
  firstLine: string,
): string {
  return createHash('sha256')
    .update(`${kind}\n${file ?? ''}\n${normaliseLine(firstLine)}`)
    .digest('hex')
    .slice(0, 16);
}

export const newEscalationId = () => `esc_${randomBytes(4).toString('hex')}`;

/** The escalation a finished or waiting task calls for, or undefined when none is due. */
export function eventForTask(
  task: Task,
  verdict: Verdict | undefined,
  ctx: { project: string; projectRoot: string; host: string; now: string },
): EscalationEvent | undefined {
  const first = verdict?.failures[0];
  const failing = first
    ? {
        name: first.name,
        file: first.file,
        ...(first.location ? { location: first.location } : {}),
        message: first.message,
        excerpt: first.excerpt.slice(0, 1500),
      }
    : null;
  let kind: EscalationKind;
  let level: Level = 'error';
  let title: string;
  const where = task.file_path ?? task.description;
  if (task.status === 'needs_input') {
    kind = 'needs_input';
    level = 'warning';
    title = `fixloop needs your input on ${where}`;
  } else if (task.outcome !== 'failed') {
    return undefined;
  } else if (task.cost_capped) {
    kind = 'cost_cap';
    title = 'fixloop paused auto-fix: hourly cost cap reached';
  } else if (task.breaker_open || task.breaker_opened) {
    kind = 'breaker_open';
    title = `fixloop stopped fixing ${where}: circuit breaker open`;
  } else if (
    (task.attempts ?? []).length > 0 ||
    (typeof task.error === 'string' && task.error.startsWith('Claude API unavailable'))
  ) {
    kind = 'task_failed';
    title = `fixloop could not fix ${where}`;
  } else {
    return undefined; // observe-only test failures are the developer's normal work, not an alert
  }
  const reason =
    task.status === 'needs_input' ? `Question: ${task.question ?? ''}` : (task.error ?? 'failed');
  const firstLine =
    kind === 'cost_cap'
      ? 'cost cap'
      : kind === 'needs_input'
        ? (task.question ?? '')
        : first
          ? `${first.name}: ${first.message}`
          : (reason.split('\n')[0] ?? '');
  return {
    source: 'fixloop',
    version: 1,
    id: newEscalationId(),
    kind,
    level,
    fingerprint: fingerprintOf(kind, kind === 'cost_cap' ? null : task.file_path, firstLine),
    title,
    project: ctx.project,
    project_root: ctx.projectRoot,
    host: ctx.host,
    file: task.file_path,
    task_id: task.id,
    reason,
    attempts: (task.attempts ?? []).length,
    failing_test: failing,
    retry_command:
      kind === 'needs_input' ? `fixloop respond ${task.id} "<answer>"` : `fixloop retry ${task.id}`,
    repeat_count: 0,
    created_at: ctx.now,
  };
}
