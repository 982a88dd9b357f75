/**
 * zod schema of the state file (CONTRACT.md §3). Unknown keys are kept so newer fields survive
 * older readers.
 */
import { z } from 'zod';

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

const isoDate = z.string().min(1);

export const attemptSchema = z.looseObject({
  number: z.number().int().min(1),
  started_at: isoDate,
  duration_ms: z.number().min(0),
  outcome: z.string(),
  edited_files: z.array(z.string()).default([]),
  test_summary: z.unknown().optional(),
  error: z.string().nullable().default(null),
});
export type Attempt = z.output<typeof attemptSchema>;

export const taskSchema = z.looseObject({
  id: z.string().regex(/^task_[0-9a-f]{8}$/),
  type: z.enum(TASK_TYPES),
  file_path: z.string().nullable(),
  description: z.string(),
  priority: z.enum(PRIORITIES),
  created_at: isoDate,
  updated_at: isoDate,
  status: z.enum(QUEUE_NAMES),
  retry_count: z.number().int().min(0),
  attempts: z.array(attemptSchema).default([]),
  outcome: z.enum(OUTCOMES).optional(),
  error: z.string().nullable().optional(),
  plan: z.unknown().optional(),
  question: z.string().optional(),
  answer: z.string().optional(),
  escalation_ids: z.array(z.string()).optional(),
});
export type Task = z.output<typeof taskSchema>;

export const orchestratorSchema = z.looseObject({
  status: z.enum(['starting', 'running', 'stopping', 'stopped']),
  pid: z.number().int(),
  host: z.string(),
  project_root: z.string(),
  started_at: isoDate,
  last_heartbeat: isoDate,
  last_health_check: z.record(z.string(), z.unknown()).default({}),
});
export type OrchestratorProcess = z.output<typeof orchestratorSchema>;

const queuesSchema = z.looseObject({
  pending: z.array(taskSchema).default([]),
  in_progress: z.array(taskSchema).default([]),
  needs_input: z.array(taskSchema).default([]),
  completed: z.array(taskSchema).default([]),
  failed: z.array(taskSchema).default([]),
});

const event = z.looseObject({ timestamp: isoDate, type: z.string() });

export const stateSchema = z.looseObject({
  version: z.literal(STATE_VERSION),
  processes: z.looseObject({ orchestrator: orchestratorSchema.optional() }).default({}),
  queues: queuesSchema.default(() => queuesSchema.parse({})),
  conversation_history: z.array(event).default([]),
  test_results: z.array(z.looseObject({ timestamp: isoDate })).default([]),
  breakers: z.record(z.string(), z.unknown()).default({}),
  escalations: z.array(z.looseObject({})).default([]),
  usage: z.record(z.string(), z.unknown()).default({}),
  stats: z.record(z.string(), z.unknown()).default({}),
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
