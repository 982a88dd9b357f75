/**
 * The MCP tools of `fixloop mcp` (CONTRACT.md §9): each is the command of the same name, its data
 * as `structuredContent`, its error as a tool error with the CLI's one-sentence message.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { redact, redactedJson } from '../../redact.js';
import { PRIORITIES, QUEUE_NAMES, TASK_TYPES } from '../../tasks/names.js';
import type { CommandContext, CommandResult } from '../context.js';
import { describeError } from '../exit-codes.js';
import { cancelTask, respondTask, retryTask } from '../task-actions.js';
import { listTasks } from '../tasks.js';
import { addWorkOrder, applyTask, diffTask } from '../work-orders.js';
import { getTask } from './get-task.js';

const taskId = z.string().min(1).describe('a task id, as list_tasks shows it (task_ and 8 hex)');
const task = z.looseObject({ id: z.string(), type: z.string(), status: z.string() });
const oneTask = { task };

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Registers every tool of §9 on `server`, each working on `ctx`'s project. */
export function registerTools(server: McpServer, ctx: CommandContext): void {
  const secrets = ctx.config.secrets;
  // Results are redacted (a state file may hold what an older fixloop stored), as the CLI's.
  const answer =
    <T>(run: () => Promise<CommandResult<T>>, say: (data: T) => string) =>
    async () => {
      try {
        const result = await run();
        const data = JSON.parse(redactedJson(result.data, secrets)) as Record<string, unknown>;
        const notes = (result.notes ?? []).map((n) => `\n${n}`).join('');
        const text = redact(say(result.data) + notes, secrets);
        return { content: [{ type: 'text' as const, text }], structuredContent: data };
      } catch (error) {
        const text = redact(describeError(error).message, secrets);
        return { content: [{ type: 'text' as const, text }], isError: true };
      }
    };
  const ro = { readOnlyHint: true, openWorldHint: false };

  server.registerTool(
    'add_work_order',
    {
      title: 'Queue a work order',
      description:
        'Queue a described change that fixloop carries out on its own branch (fixloop/<id>) in ' +
        'an isolated worktree, verified by the tests; follow it with get_task, review it with ' +
        'get_diff, bring it into the working tree with apply_task. split: let the planner break ' +
        'a bigger request into smaller orders.',
      inputSchema: {
        description: z.string().min(1).describe('the change, in words'),
        files: z.array(z.string()).optional().describe('files it concerns, relative paths'),
        priority: z.enum(PRIORITIES).optional(),
        after: z.array(taskId).optional().describe('orders whose result it starts from'),
        split: z.boolean().optional(),
      },
      outputSchema: z.looseObject({ task, daemon_running: z.boolean().optional() }),
    },
    (input) =>
      answer(
        () => addWorkOrder(ctx, input),
        (d) => `Queued work order ${d.task.id}: ${d.task.description.split('\n')[0]}`,
      )(),
  );

  server.registerTool(
    'list_tasks',
    {
      title: 'List tasks',
      description: 'Tasks as `fixloop tasks --json`: pending first in the order they will run.',
      inputSchema: {
        status: z.enum(QUEUE_NAMES).optional(),
        type: z
          .enum(TASK_TYPES)
          .optional()
          .describe('work: work orders; file_change, bulk_change: saves; manual: fixloop check'),
      },
      outputSchema: z.looseObject({ count: z.number(), tasks: z.array(task) }),
      annotations: ro,
    },
    ({ status, type }) =>
      answer(
        async () => {
          const listed = await listTasks(ctx, status);
          const tasks = listed.data.tasks.filter((t) => !type || t.type === type);
          return { ...listed, data: { count: tasks.length, tasks } };
        },
        (d) =>
          d.tasks.map((t) => `${t.id} ${t.type} ${t.status}: ${t.description}`).join('\n') ||
          'No tasks.',
      )(),
  );

  server.registerTool(
    'get_task',
    {
      title: 'Get a task',
      description:
        'One task with its step, result and verification, and the last lines of its ' +
        'transcript. wait_seconds: wait up to that long for it to end (done, failed, ' +
        'cancelled or needing input), sending each transcript line as a progress notification.',
      inputSchema: { id: taskId, wait_seconds: z.number().min(0).max(600).optional() },
      outputSchema: z.looseObject({
        task,
        log: z.array(z.string()),
        ended: z.boolean(),
        daemon_running: z.boolean(),
      }),
      annotations: ro,
    },
    ({ id, wait_seconds }, extra: Extra) =>
      answer(
        () => getTask(ctx, id, { waitSeconds: wait_seconds ?? 0, extra }),
        (d) => [`${d.task.id} is ${d.task.status}`, ...d.log].join('\n'),
      )(),
  );

  server.registerTool(
    'get_diff',
    {
      title: 'Diff of a finished work order',
      description:
        "The unified diff of a finished order's commit(s) against its base (with the orders " +
        'it was built on).',
      inputSchema: { id: taskId },
      outputSchema: z.looseObject({
        task_id: z.string(),
        branch: z.string(),
        base: z.string(),
        commit: z.string(),
        chain: z.array(z.string()),
        files: z.array(z.string()),
        diff: z.string(),
      }),
      annotations: ro,
    },
    ({ id }) =>
      answer(
        () => diffTask(ctx, id),
        (d) => d.diff || '(no change)',
      )(),
  );

  server.registerTool(
    'apply_task',
    {
      title: 'Apply a finished work order',
      description:
        "`fixloop apply`: the order's change (with those it built on) into the working tree as " +
        'uncommitted changes; refused, naming them, over files you changed.',
      inputSchema: { id: taskId },
      outputSchema: z.looseObject({
        task,
        files: z.array(z.string()),
        branch: z.string(),
        applied: z.array(z.string()),
        present: z.array(z.string()),
      }),
      annotations: { destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ id }) =>
      answer(
        () => applyTask(ctx, id),
        (d) => `Applied ${d.branch} to the working tree (uncommitted): ${d.files.join(', ')}`,
      )(),
  );

  server.registerTool(
    'respond',
    {
      title: 'Answer a task waiting for input',
      description: '`fixloop respond`: the task goes back to pending with the answer.',
      inputSchema: { id: taskId, answer: z.string().min(1) },
      outputSchema: z.looseObject(oneTask),
    },
    ({ id, answer: text }) =>
      answer(
        () => respondTask(ctx, id, text),
        (d) => `${d.task.id} is now ${d.task.status}`,
      )(),
  );

  const action = (name: string, title: string, description: string, run: typeof cancelTask) =>
    server.registerTool(
      name,
      { title, description, inputSchema: { id: taskId }, outputSchema: z.looseObject(oneTask) },
      ({ id }) =>
        answer(
          () => run(ctx, id),
          (d) => `${d.task.id} is now ${d.task.status}`,
        )(),
    );
  action(
    'cancel_task',
    'Cancel a task',
    '`fixloop cancel`: a pending or needs_input task ends as cancelled.',
    cancelTask,
  );
  action(
    'retry_task',
    'Retry a failed task',
    '`fixloop retry`: a failed task goes back to pending.',
    retryTask,
  );

  server.registerTool(
    'status',
    {
      title: 'fixloop status',
      description:
        '`fixloop status --json`: whether the daemon runs (orders wait for it otherwise), ' +
        'queue counts, current tasks, recent outcomes, spend.',
      inputSchema: {},
      outputSchema: z.looseObject({ daemon: z.string() }),
      annotations: ro,
    },
    async () => {
      const { status } = await import('../status.js');
      return answer(
        async () => ({ ...(await status(ctx)), exitCode: 0 }),
        (d) => `daemon ${d.daemon}`,
      )();
    },
  );
}
