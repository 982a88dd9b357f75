/**
 * The commander program: parses arguments, runs a command, prints its data, maps errors to exit
 * codes.
 */
import { Command, CommanderError, Option } from 'commander';
import type { RawEnv } from '../config/env-source.js';
import { fixloopPackage } from '../fs/package-root.js';
import { createStyle, wantsColor } from '../output/style.js';
import { terminalText } from '../output/terminal-text.js';
import { redact, redactedJson } from '../redact.js';
import { QUEUE_NAMES, type QueueName } from '../tasks/names.js';
import type { CommandContext, CommandResult } from './context.js';
import { describeError, ExitCode } from './exit-codes.js';
import { registerWorkCommands } from './work-program.js';

export interface CliIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: RawEnv;
  cwd: string;
}

type TaskAction = (
  ctx: CommandContext,
  id: string,
  answer: string,
) => Promise<CommandResult<{ task: { id: string; status: string } }>>;

/** Runs the CLI; resolves to the process exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = ExitCode.ok;
  // Each command's module (and what it needs: SDKs, chokidar, pino…) is loaded only when it runs.
  let secrets: readonly string[] = [];
  const context = async () => {
    const ctx = (await import('./context.js')).loadContext(io);
    secrets = ctx.config.secrets;
    return ctx;
  };
  const color = () => wantsColor(io.stdout, io.env);
  const style = () => createStyle(color());
  // Output is redacted (a state file may hold what an older fixloop stored) and terminal-safe.
  const shown = (text: string) => terminalText(redact(text, secrets), color());
  const emit = <T>(
    result: CommandResult<T>,
    json: boolean | undefined,
    human: (data: T) => string,
  ) => {
    const text = json ? redactedJson(result.data, secrets, 2) : shown(human(result.data));
    // Two writes: `${text}\n` would copy a document of megabytes once more before it is encoded.
    io.stdout.write(text);
    io.stdout.write('\n');
    if (!json) for (const note of result.notes ?? []) io.stderr.write(`${redact(note, secrets)}\n`);
    exitCode = result.exitCode;
  };

  const program = new Command('fixloop')
    .description(
      'Watches your project, runs the related tests on every save, and has Claude fix what breaks.',
    )
    .version(fixloopPackage().version, '-v, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run "fixloop --help" for usage)');

  program
    .command('watch')
    .description(
      'run the daemon in the foreground on PROJECT_ROOT (the default command); ' +
        'Ctrl+C stops it cleanly',
    )
    .action(async () => {
      exitCode = await (await import('./watch.js')).watch(io);
    });

  program
    .command('status')
    .description(
      'daemon status: running / stopped / stale, heartbeat, queues, current task ' +
        '(exit 0 running, 3 not running, 4 stale)',
    )
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const [{ status }, { formatStatus }] = await Promise.all([
        import('./status.js'),
        import('../output/print-status.js'),
      ]);
      const warn = (m: string) => io.stderr.write(`fixloop: warning: ${m}\n`);
      emit(await status(await context(), warn), opts.json, (d) => formatStatus(d, style()));
    });

  program
    .command('tasks')
    .description('list tasks, pending first in the order they will run')
    .addOption(new Option('--status <queue>', 'only tasks in this queue').choices(QUEUE_NAMES))
    .option('--json', 'print one JSON document')
    .action(async (opts: { status?: QueueName; json?: boolean }) => {
      const [{ listTasks }, { formatTaskList }] = await Promise.all([
        import('./tasks.js'),
        import('../output/print-tasks.js'),
      ]);
      emit(await listTasks(await context(), opts.status), opts.json, (d) =>
        formatTaskList(d.tasks, style()),
      );
    });

  registerWorkCommands(program, {
    context,
    emit,
    style,
    io,
    // A line streamed as it comes (`logs --follow`): redacted and terminal-safe like `emit`'s.
    print: (text, json) => io.stdout.write(`${json ? redact(text, secrets) : shown(text)}\n`),
    setExit: (code) => {
      exitCode = code;
    },
  });

  type TaskActions = typeof import('./task-actions.js');
  const single = (
    name: 'retry' | 'respond' | 'cancel',
    summary: string,
    run: (actions: TaskActions) => TaskAction,
  ) => {
    const cmd = program
      .command(name)
      .description(summary)
      .argument('<task-id>', 'id as shown by "fixloop tasks"');
    if (name === 'respond') cmd.argument('<answer>', 'your answer to the question');
    cmd.option('--json', 'print the task as JSON').action(async (...args: unknown[]) => {
      const strings = args.filter((a): a is string => typeof a === 'string');
      const opts = args.find((a) => a && typeof a === 'object' && !(a instanceof Command)) as {
        json?: boolean;
      };
      const [id = '', answer = ''] = strings;
      const action = run(await import('./task-actions.js'));
      emit(
        await action(await context(), id, answer),
        opts?.json,
        (d) => `${d.task.id} is now ${d.task.status}`,
      );
    });
  };
  single(
    'retry',
    'move a failed task back to pending (retry_count kept)',
    (a) => (ctx, id) => a.retryTask(ctx, id),
  );
  single(
    'respond',
    'answer a task waiting in needs_input; it goes back to pending with the answer',
    (a) => a.respondTask,
  );
  single(
    'cancel',
    'cancel a pending or needs_input task (kept as completed/cancelled)',
    (a) => (ctx, id) => a.cancelTask(ctx, id),
  );

  program
    .command('doctor')
    .description(
      'check configuration, test runner, state file and lock, watch limits, API reachability ' +
        'and escalation channels (exit 0 all good, 1 something failed)',
    )
    .option('--escalation-test', 'send a test message to each configured escalation channel')
    .option('--json', 'print one JSON document')
    .action(async (opts: { escalationTest?: boolean; json?: boolean }) => {
      const [{ doctor }, { formatDoctor }] = await Promise.all([
        import('./doctor.js'),
        import('../output/print-doctor.js'),
      ]);
      emit(await doctor(io, { escalationTest: !!opts.escalationTest }), opts.json, (d) =>
        formatDoctor(d, style()),
      );
    });

  program
    .command('mcp')
    .description(
      'serve the Model Context Protocol on stdio, so Claude Code (or another MCP client) can ' +
        'queue, follow, review and apply work orders: claude mcp add fixloop -- fixloop mcp',
    )
    .action(async () => {
      exitCode = await (await import('./mcp/server.js')).serveMcp(io);
    });

  program
    .command('demo')
    .description(
      'offline showcase: a sample project, a recorded demo model (not Claude), a fix, ' +
        'a failure, a breaker and an escalation',
    )
    .option('--keep', 'keep the sample project, state file and log afterwards')
    .action(async (opts: { keep?: boolean }) => {
      const { runDemo } = await import('../demo/run.js');
      exitCode = await runDemo({
        stdout: io.stdout,
        color: wantsColor(io.stdout, io.env),
        keep: !!opts.keep,
        env: io.env,
      });
    });

  try {
    // `fixloop` alone runs the daemon. (Commander's isDefault would also swallow typos as watch
    // arguments.)
    const args = argv.length === 0 ? ['watch'] : [...argv];
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError)
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    const { exitCode: code, message, code: errorCode } = describeError(error);
    io.stderr.write(`fixloop: ${message}\n`);
    // Scripts asking for JSON always get one JSON document, errors included.
    if (argv.includes('--json')) {
      io.stdout.write(`${JSON.stringify({ error: message, code: errorCode, exit_code: code })}\n`);
    }
    return code;
  }
  return exitCode;
}
