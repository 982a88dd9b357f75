/** The fixed vocabularies of tasks (no dependencies: the CLI reads them before anything loads). */

export const QUEUE_NAMES = [
  'pending',
  'in_progress',
  'needs_input',
  'completed',
  'failed',
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const TASK_TYPES = ['file_change', 'bulk_change', 'manual', 'work'] as const;
export const OUTCOMES = ['clean', 'fixed', 'done', 'failed', 'skipped', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];
