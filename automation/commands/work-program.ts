/** The work-order commands of the program: `add`, `check`, `apply`, `worker`, `workers`. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { RawEnv } from '../config/env-source.js';
import type { Style } from '../output/style.js';
import { PRIORITIES, type Priority } from '../tasks/names.js';
import type { CommandContext, CommandResult } from './context.js';

type Emit = <T>(
  result: CommandResult<T>,
  json: boolean | undefined,
  human: (data: T) => string,
) => void;

/** Adds `add`, `check`, `apply`, `worker` and `workers` to `program`. */
export function registerWorkCommands(
  program: Command,
  {
    context,
    emit,
    style,
    io,
    setExit,
    print,
  }: {
    context: () => Promise<CommandContext>;
    emit: Emit;
    style: () => Style;
    io: { cwd: string; env: RawEnv; stdout: { write(s: string): unknown; isTTY?: boolean } };
    setExit: (code: number) => void;
    print: (text: string, json: boolean) => void;
  },
): void {
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  program
    .command('add')
    .description(
      'queue a work order: a described change fixloop carries out on its own branch ' +
        '(fixloop/<task-id>) in an isolated worktree; prints its id',
    )
    .argument('<description>', 'the change, in words')
    .option('--file <path>', 'a file it concerns (repeatable)', collect)
    .addOption(new Option('--priority <level>', 'priority').choices(PRIORITIES).default('normal'))
    .option('--after <task-id>', 'start from the result of this task (repeatable)', collect)
    .option('--split', 'let the planner break it into smaller orders')
    .option('--json', 'print the task as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  fixloop add "parse ISO week dates like 2026-W07" --file src/date.ts\n' +
        "  fixloop status            # the order's step, then its branch\n" +
        '  fixloop apply <task-id>   # its change, as uncommitted changes in your tree',
    )
    .action(
      async (
        description: string,
        opts: {
          file?: string[];
          priority: Priority;
          after?: string[];
          split?: boolean;
          json?: boolean;
        },
      ) => {
        const { addWorkOrder } = await import('./work-orders.js');
        const input = {
          description,
          priority: opts.priority,
          ...(opts.file ? { files: opts.file } : {}),
          ...(opts.after ? { after: opts.after } : {}),
          ...(opts.split ? { split: true } : {}),
        };
        emit(await addWorkOrder(await context(), input), opts.json, (d) => d.task.id);
      },
    );

  program
    .command('check')
    .description(
      'queue what a save of these files would: run their related tests, fix the working tree ' +
        'if they fail (no path: the whole suite); prints the task ids',
    )
    .argument('[paths...]', 'files to check')
    .addOption(new Option('--priority <level>', 'priority').choices(PRIORITIES).default('normal'))
    .option('--json', 'print the tasks as JSON')
    .action(async (paths: string[], opts: { priority: Priority; json?: boolean }) => {
      const { checkPaths } = await import('./work-orders.js');
      emit(await checkPaths(await context(), { paths, priority: opts.priority }), opts.json, (d) =>
        d.tasks.map((t) => t.id).join('\n'),
      );
    });

  program
    .command('apply')
    .description("apply a finished work order's change to the working tree as uncommitted changes")
    .argument('<task-id>', 'a work order that ended done')
    .option('--json', 'print what was applied as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { applyTask } = await import('./work-orders.js');
      emit(await applyTask(await context(), id), opts.json, (d) => {
        const also = d.applied.filter((t) => t !== d.task.id);
        const chain = also.length ? ` with ${also.join(', ')} it builds on` : '';
        const there = d.present.length ? `; already in your tree: ${d.present.join(', ')}` : '';
        return d.files.length
          ? `Applied ${d.branch}${chain} to your working tree (uncommitted): ` +
              `${d.files.join(', ')}${there}`
          : `${d.branch} changes nothing in your working tree${there}`;
      });
    });

  program
    .command('logs')
    .description(
      "a task's transcript: plan, model turns and tool calls (paths), edits, test runs, " +
        'verification and delivery; --follow streams an order under way until it ends',
    )
    .argument('<task-id>', 'id as shown by "fixloop tasks"')
    .option('--follow', 'keep printing as the task goes on, until it ends')
    .option('--json', 'print one JSON document (with --follow: one JSON line per entry)')
    .action(async (id: string, opts: { follow?: boolean; json?: boolean }) => {
      const [logs, { formatEntry, formatHeading, formatLog }] = await Promise.all([
        import('./logs.js'),
        import('../output/print-logs.js'),
      ]);
      const ctx = await context();
      if (!opts.follow)
        return emit(await logs.taskLog(ctx, id), opts.json, (d) => formatLog(d, style()));
      const { task, entries } = await logs.followLog(ctx, id);
      if (!opts.json) print(formatHeading(task, 'transcript', style()), false);
      for await (const entry of entries)
        print(opts.json ? JSON.stringify(entry) : formatEntry(entry, style()), !!opts.json);
    });

  program
    .command('worker')
    .description(
      'take work orders from the shared queue (QUEUE_URL) on this machine, in a clone of the ' +
        'repository; Ctrl+C stops it cleanly',
    )
    .option('--concurrency <n>', 'orders at once (default: MAX_WORKERS)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 64)
        throw new InvalidArgumentError('expected a whole number from 1 to 64');
      return n;
    })
    .addHelpText(
      'after',
      '\nExample (a second machine):\n  git clone <origin> shop && cd shop && npm ci\n' +
        '  QUEUE_URL=redis://queue.internal:6379 ANTHROPIC_API_KEY=... npx fixloop worker',
    )
    .action(async (opts: { concurrency?: number }) => {
      const { runWorker } = await import('./worker.js');
      setExit(await runWorker({ ...io, concurrency: opts.concurrency }));
    });

  program
    .command('workers')
    .description('every work-order worker: status (idle, busy, stopped, lost), task, step, done')
    .option('--json', 'print the workers as JSON')
    .action(async (opts: { json?: boolean }) => {
      const [{ listWorkers }, { formatWorkers }] = await Promise.all([
        import('./tasks.js'),
        import('../output/print-workers.js'),
      ]);
      const ctx = await context();
      const shared = Boolean(ctx.config.queue.url);
      emit(await listWorkers(ctx), opts.json, (d) => formatWorkers(d.workers, style(), shared));
    });
}
