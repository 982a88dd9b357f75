/**
 * Job records read from Redis are untrusted: anyone who can write to the queue can write them.
 * Before any use (git, the work stage, a view) each is checked against the task schema with the
 * shapes fixloop itself writes: ids `task_<8 hex>`, branches `fixloop/<task-id>` or
 * `fixloop/issue-<N>`, commits of 40 (or 64) hex digits, paths relative and inside the project.
 * A record that fails says why in one sentence.
 */
import { isAbsolute } from 'node:path';
import * as z from 'zod/mini';
import { type Task, taskSchema } from '../store/schema.js';
import '../validate.js';
import { FixloopError } from '../errors.js';
import type { OrderJobData } from './job-task.js';

/** A job record that is not what fixloop writes. */
export class JobRecordError extends FixloopError {
  constructor(message: string) {
    super(message, { code: 'JOB_RECORD_INVALID' });
  }
}

const TASK_ID = /^task_[0-9a-f]{8}$/;
const BRANCH = /^fixloop\/(?:task_[0-9a-f]{8}|issue-[1-9]\d{0,9})$/;
const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** A path relative to the project, inside it, that no command reads as an option. */
const relativePath = z
  .string()
  .check(
    z.refine(
      (p) =>
        p.length > 0 &&
        !isAbsolute(p) &&
        !p.startsWith('-') &&
        !p.includes('\0') &&
        !p.includes('\\') &&
        !p.split('/').includes('..'),
      { message: 'must be a path relative to the project, inside it' },
    ),
  );

const commit = z.string().check(z.regex(COMMIT, { message: 'must be 40 hex digits' }));

const strictTask = z.looseObject({
  id: z.string().check(z.regex(TASK_ID, { message: 'must be task_ and 8 hex digits' })),
  files: z.optional(z.array(relativePath)),
  after: z.optional(z.array(z.string().check(z.regex(TASK_ID, { message: 'must be task ids' })))),
  parent_id: z.optional(z.nullable(z.string().check(z.regex(TASK_ID)))),
  children: z.optional(z.array(z.string().check(z.regex(TASK_ID)))),
  base_commit: z.optional(z.nullable(commit)),
  result: z.optional(
    z.looseObject({
      branch: z
        .string()
        .check(z.regex(BRANCH, { message: 'must be fixloop/<task-id> or fixloop/issue-<N>' })),
      commit,
      files: z.array(relativePath),
    }),
  ),
});

/** `value` as a task, or JobRecordError naming the first thing wrong with it. */
export function checkedRecord(value: unknown, what: string): Task {
  for (const schema of [taskSchema, strictTask]) {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'record';
      throw new JobRecordError(
        `the job record of ${what} is malformed (${where}: ${issue?.message ?? 'invalid'}); ` +
          'it was not used',
      );
    }
  }
  return taskSchema.parse(value);
}

/** A job's data, checked: the order, its base, and a failed order's record. */
export function checkedJobData(data: unknown, jobId: string | undefined): OrderJobData {
  const d = (data ?? {}) as Partial<OrderJobData>;
  const what = `job ${jobId ?? '?'}`;
  const task = checkedRecord(d.task, what);
  if (jobId !== undefined && task.id !== jobId)
    throw new JobRecordError(`the job record of ${what} names another task (${task.id})`);
  if (d.base != null && !COMMIT.test(String(d.base)))
    throw new JobRecordError(
      `the job record of ${what} is malformed (base: must be 40 hex digits)`,
    );
  const record = d.record === undefined ? undefined : checkedRecord(d.record, what);
  return {
    task,
    base: d.base ?? null,
    ...(record ? { record } : {}),
    ...(typeof d.waiting === 'string' ? { waiting: d.waiting.slice(0, 500) } : {}),
  };
}
