/**
 * zod schema of the state file (CONTRACT.md §3). Unknown keys are kept so newer fields survive
 * older readers.
 */
import * as z from 'zod/mini';
import '../validate.js';

export const STATE_VERSION = 1;

import { OUTCOMES, PRIORITIES, QUEUE_NAMES, TASK_TYPES } from '../tasks/names.js';

export {
  OUTCOMES,
  type Outcome,
  PRIORITIES,
  type Priority,
  QUEUE_NAMES,
  type QueueName,
  TASK_TYPES,
} from '../tasks/names.js';

const isoDate = z.string().check(z.minLength(1));

export const attemptSchema = z.looseObject({
  number: z.number().check(z.int(), z.minimum(1)),
  started_at: isoDate,
  duration_ms: z.number().check(z.minimum(0)),
  outcome: z.string(),
  edited_files: z._default(z.array(z.string()), []),
  test_summary: z.optional(z.unknown()),
  error: z._default(z.nullable(z.string()), null),
});
export type Attempt = z.output<typeof attemptSchema>;

/** What a finished work order delivered. */
export const workResultSchema = z.looseObject({
  branch: z.string(),
  commit: z.string(),
  files: z.array(z.string()),
  tests: z.optional(z.unknown()),
  pr_url: z.optional(z.nullable(z.string())),
});
export type WorkResult = z.output<typeof workResultSchema>;

export const taskSchema = z.looseObject({
  id: z.string().check(z.regex(/^task_[0-9a-f]{8}$/)),
  type: z.enum(TASK_TYPES),
  file_path: z.nullable(z.string()),
  description: z.string(),
  priority: z.enum(PRIORITIES),
  created_at: isoDate,
  updated_at: isoDate,
  status: z.enum(QUEUE_NAMES),
  retry_count: z.number().check(z.int(), z.minimum(0)),
  attempts: z._default(z.array(attemptSchema), []),
  outcome: z.optional(z.enum(OUTCOMES)),
  error: z.optional(z.nullable(z.string())),
  plan: z.optional(z.unknown()),
  question: z.optional(z.string()),
  answer: z.optional(z.string()),
  escalation_ids: z.optional(z.array(z.string())),
  // Work orders (CONTRACT.md §5).
  after: z.optional(z.array(z.string())),
  parent_id: z.optional(z.nullable(z.string())),
  children: z.optional(z.array(z.string())),
  split: z.optional(z.boolean()),
  files: z.optional(z.array(z.string())),
  source: z.optional(z.looseObject({ kind: z.string() })),
  base_commit: z.optional(z.nullable(z.string())),
  worker_id: z.optional(z.nullable(z.string())),
  result: z.optional(workResultSchema),
});
export type Task = z.output<typeof taskSchema>;

export const orchestratorSchema = z.looseObject({
  status: z.enum(['starting', 'running', 'stopping', 'stopped']),
  pid: z.number().check(z.int()),
  host: z.string(),
  project_root: z.string(),
  started_at: isoDate,
  last_heartbeat: isoDate,
  last_health_check: z._default(z.record(z.string(), z.unknown()), {}),
});
export type OrchestratorProcess = z.output<typeof orchestratorSchema>;

const queuesSchema = z.looseObject({
  pending: z._default(z.array(taskSchema), []),
  in_progress: z._default(z.array(taskSchema), []),
  needs_input: z._default(z.array(taskSchema), []),
  completed: z._default(z.array(taskSchema), []),
  failed: z._default(z.array(taskSchema), []),
});

const event = z.looseObject({ timestamp: isoDate, type: z.string() });

export const stateSchema = z.looseObject({
  version: z.literal(STATE_VERSION),
  processes: z._default(z.looseObject({ orchestrator: z.optional(orchestratorSchema) }), {}),
  queues: z._default(queuesSchema, () => queuesSchema.parse({})),
  conversation_history: z._default(z.array(event), []),
  test_results: z._default(z.array(z.looseObject({ timestamp: isoDate })), []),
  breakers: z._default(z.record(z.string(), z.unknown()), {}),
  escalations: z._default(z.array(z.looseObject({})), []),
  usage: z._default(z.record(z.string(), z.unknown()), {}),
  stats: z._default(z.record(z.string(), z.unknown()), {}),
  /** Work-lane workers by id (CONTRACT.md §5). */
  workers: z._default(z.record(z.string(), z.looseObject({ status: z.string() })), {}),
});
export type State = z.output<typeof stateSchema>;

/** A fresh, empty state. */
export function emptyState(): State {
  return stateSchema.parse({ version: STATE_VERSION });
}

/** Finished queues and histories are capped; the oldest entries go first. */
export const LIMITS = {
  completed: 50,
  failed: 50,
  conversation_history: 100,
  test_results: 100,
  escalations: 100,
} as const;

/** Applies LIMITS in place (arrays grow at the end, so the front is the oldest). */
export function applyLimits(state: State): void {
  const trim = <T>(list: T[], max: number) => {
    if (list.length > max) list.splice(0, list.length - max);
  };
  trim(state.queues.completed, LIMITS.completed);
  trim(state.queues.failed, LIMITS.failed);
  trim(state.conversation_history, LIMITS.conversation_history);
  trim(state.test_results, LIMITS.test_results);
  trim(state.escalations, LIMITS.escalations);
}
