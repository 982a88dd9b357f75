/**
 * What the status server shows a request without STATUS_TOKEN when one is set: the daemon's
 * health, queues and outcomes, but nothing of what an order was handed or worked out — no issue
 * text, no plan or question (the planner's words), no attempts' details. A page of another site
 * can reach 127.0.0.1; it learns what is running, not what anyone wrote.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Task } from '../store/schema.js';

/** The bearer token a request sends, or ''. */
export function bearer(req: IncomingMessage): string {
  const header = req.headers.authorization ?? '';
  return /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? '';
}

/** Compares in constant time (hashes first, so lengths do not leak either). */
export function sameToken(given: string, expected: string): boolean {
  const hash = (s: string) => createHash('sha256').update(s).digest();
  return given.length > 0 && timingSafeEqual(hash(given), hash(expected));
}

/** Whether `req` may see everything: no token is set, or it sent the right one. */
export function seesAll(req: IncomingMessage, token: string | undefined): boolean {
  return !token || sameToken(bearer(req), token);
}

/** Fields of a task that carry what someone wrote or the model worked out. */
const PRIVATE = ['plan', 'question', 'answer', 'attempts', 'plan_fallback', 'files_refused'];

/** `task` without what it was handed or worked out. */
export function publicTask<T extends Partial<Task>>(task: T): T {
  const shown: Record<string, unknown> = { ...task };
  for (const key of PRIVATE) delete shown[key];
  const issue = task.source?.kind === 'github' ? task.source.issue : undefined;
  // A save's description is fixloop's own words; an order's (or an unknown kind's) is someone's.
  const save = task.type === 'file_change' || task.type === 'bulk_change' || task.type === 'manual';
  if (!save && typeof task.description === 'string')
    shown.description = issue === undefined ? `work order ${task.id}` : `GitHub issue #${issue}`;
  if (Array.isArray(task.attempts)) shown.attempt_count = task.attempts.length;
  return shown as T;
}

/** Every task of a value (a snapshot, a status report) seen publicly; other fields as they are. */
export function publicValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map(publicValue) as T;
  if (!value || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  const looksLikeTask = typeof v.id === 'string' && /^task_[0-9a-f]{8}$/.test(v.id);
  const base = looksLikeTask ? publicTask(v as Partial<Task>) : v;
  return Object.fromEntries(
    Object.entries(base).map(([k, x]) => [k, typeof x === 'object' ? publicValue(x) : x]),
  ) as T;
}
