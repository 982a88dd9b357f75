/**
 * One line of a task's transcript (`fixloop logs`, CONTRACT.md §9): what the task did, in order.
 * Paths and summaries only: never file contents, never a secret (lines are redacted on write).
 */
import * as z from 'zod';

/** A tool call of one model turn: the tool (or the editor's command) and the path it named. */
export interface ToolCall {
  tool: string;
  path?: string;
}

/** What an entry says, by kind (the time and task are added when it is recorded). */
export type EntryBody =
  | { kind: 'step'; step: string }
  | { kind: 'plan'; summary: string; steps: string[]; files: string[]; fallback?: string }
  | { kind: 'turn'; attempt: number; turn: number; said: string; tools: ToolCall[] }
  | { kind: 'edit'; attempt: number; path: string; added: number; removed: number }
  | {
      kind: 'test';
      attempt?: number;
      command: string;
      status: string;
      summary: string;
      duration_ms: number;
    }
  | { kind: 'attempt'; attempt: number; outcome: string; error?: string | null }
  | { kind: 'verification'; line: string }
  | {
      kind: 'delivery';
      branch: string;
      commit: string;
      pushed: boolean;
      pr_url?: string | null;
      push_error?: string;
    }
  | { kind: 'end'; status: string; outcome?: string; error?: string | null; question?: string }
  | { kind: 'truncated'; bytes: number };

export type TranscriptEntry = EntryBody & { at: string; task: string };

/** A string field, cut to `max` characters (a longer one is shortened, not refused). */
const text = (max = 2000) =>
  z.string().transform((s) => (s.length > max ? `${s.slice(0, max - 1)}…` : s));
const count = z.number().int().min(0).max(1e9);
const head = { at: z.string().max(64), task: z.string().max(64) };

/**
 * How an entry is read back: the file is ours, but a shared queue's job log is anyone's who can
 * write to Redis, so each line is checked, kind by kind, with bounded fields (unknown fields are
 * dropped) and a line that is not an entry is skipped.
 */
export const entrySchema = z.discriminatedUnion('kind', [
  z.object({ ...head, kind: z.literal('step'), step: text() }),
  z.object({
    ...head,
    kind: z.literal('plan'),
    summary: text(),
    steps: z.array(text()).max(100),
    files: z.array(text(1000)).max(500),
    fallback: text().optional(),
  }),
  z.object({
    ...head,
    kind: z.literal('turn'),
    attempt: count,
    turn: count,
    said: text(),
    tools: z.array(z.object({ tool: text(200), path: text(1000).optional() })).max(200),
  }),
  z.object({
    ...head,
    kind: z.literal('edit'),
    attempt: count,
    path: text(1000),
    added: count,
    removed: count,
  }),
  z.object({
    ...head,
    kind: z.literal('test'),
    attempt: count.optional(),
    command: text(8000),
    status: text(64),
    summary: text(),
    duration_ms: count,
  }),
  z.object({
    ...head,
    kind: z.literal('attempt'),
    attempt: count,
    outcome: text(64),
    error: text(4000).nullable().optional(),
  }),
  z.object({ ...head, kind: z.literal('verification'), line: text() }),
  z.object({
    ...head,
    kind: z.literal('delivery'),
    branch: text(300),
    commit: text(64),
    pushed: z.boolean(),
    pr_url: text(1000).nullable().optional(),
    push_error: text(4000).optional(),
  }),
  z.object({
    ...head,
    kind: z.literal('end'),
    status: text(64),
    outcome: text(64).optional(),
    error: text(4000).nullable().optional(),
    question: text(4000).optional(),
  }),
  z.object({ ...head, kind: z.literal('truncated'), bytes: count }),
]);

/** Parses transcript lines (of task `taskId`, when given); other lines are left out. */
export function parseEntries(lines: Iterable<string>, taskId?: string): TranscriptEntry[] {
  const out: TranscriptEntry[] = [];
  for (const line of lines) {
    if (!line.trim() || line.length > 256_000) continue;
    try {
      const parsed = entrySchema.safeParse(JSON.parse(line));
      if (parsed.success && (!taskId || parsed.data.task === taskId))
        out.push(parsed.data as TranscriptEntry);
    } catch {
      /* a torn or foreign line */
    }
  }
  return out;
}

/** Whether `entry` ends the task's transcript (it may start again if the task is retried). */
export const isEnd = (entry: TranscriptEntry) => entry.kind === 'end';

/** Lines added and removed from `before` to `after`, as a line multiset (cheap, no LCS). */
export function lineChanges(
  before: string | null,
  after: string | null,
): { added: number; removed: number } {
  const count = new Map<string, number>();
  // A final newline ends the last line; it does not start another.
  const lines = (text: string | null) => (text ? text.replace(/\n$/, '').split('\n') : []);
  for (const l of lines(before)) count.set(l, (count.get(l) ?? 0) + 1);
  let added = 0;
  for (const l of lines(after)) {
    const n = count.get(l) ?? 0;
    if (n > 0) count.set(l, n - 1);
    else added++;
  }
  let removed = 0;
  for (const n of count.values()) removed += n;
  return { added, removed };
}

/** The first line of what the model said, cut to `max` characters. */
export function firstWords(text: string, max = 160): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The transcript's line of a plan. */
export const planLine = (
  plan: { summary: string; steps: readonly string[]; files: readonly string[] },
  fallback?: string,
): EntryBody => ({
  kind: 'plan',
  summary: plan.summary,
  steps: [...plan.steps],
  files: [...plan.files],
  ...(fallback ? { fallback } : {}),
});

/** The transcript's line of a test run. */
export const testLine = (v: {
  command: string;
  status: string;
  summary: string;
  duration_ms: number;
}) => ({ command: v.command, status: v.status, summary: v.summary, duration_ms: v.duration_ms });
