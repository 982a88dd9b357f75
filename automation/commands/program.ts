/** The commander program: parses arguments, runs a command, prints its data, maps errors to exit codes. */
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config/load.js';
import type { RawEnv } from '../config/env-source.js';
import { describeError, ExitCode } from '../errors.js';
import { createFileLogger } from '../log/file-logger.js';
import { formatDoctor } from '../output/print-doctor.js';
import { formatStatus } from '../output/print-status.js';
import { formatTaskList } from '../output/print-tasks.js';
import { createStyle, wantsColor } from '../output/style.js';
import { PRIORITIES, QUEUE_NAMES, type Priority, type QueueName } from '../store/schema.js';
import { StateStore } from '../store/store.js';
import type { CommandContext, CommandResult } from './context.js';
import { doctor } from './doctor.js';
import { status } from './status.js';
import { addTask, cancelTask, respondTask, retryTask } from './task-actions.js';
import { listTasks } from './tasks.js';

/** package.json's version (the same relative path from automation/ and dist/). */
const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export interface CliIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: RawEnv;
  cwd: string;
}

/** Extra commands registered by later stages (watch, doctor, demo) without this file knowing them. */
export type Register = (program: Command, helpers: CliHelpers) => void;

export interface CliHelpers {
  io: CliIO;
  /** Loads config and opens the store; called inside actions so --help works with a bad config. */
  context(): CommandContext;
  /** Prints a command's data as JSON or through `human`, and records its exit code. */
  emit<T>(result: CommandResult<T>, json: boolean, human: (data: T) => string): void;
  style(): ReturnType<typeof createStyle>;
  /** Sets the exit code of a command that prints its own output (watch). */
  setExitCode(code: number): void;
}

/** Runs the CLI; resolves to the process exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIO, extra: Register[] = []): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const helpers: CliHelpers = {
    io,
    context() {
      const config = loadConfig({ cwd: io.cwd, env: io.env });
      const logger = createFileLogger(config.logDir, { sync: true, secrets: config.secrets });
      const store = new StateStore({
        file: config.stateFile,
        lockFile: config.lockFile,
        logger,
        onWarning: (message) => io.stderr.write(`fixloop: warning: ${message}\n`),
      });
      return { config, store, clock: systemClock };
    },
    emit(result, json, human) {
      io.stdout.write(`${json ? JSON.stringify(result.data, null, 2) : human(result.data)}\n`);
      exitCode = result.exitCode;
    },
    style: () => createStyle(wantsColor(io.stdout, io.env)),
    setExitCode: (code) => {
      exitCode = code;
    },
  };

  const program = new Command('fixloop')
    .description('Watches your project, runs the related tests on every save, and has Claude fix what breaks.')
    .version(VERSION, '-v, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run "fixloop --help" for usage)');

  program
    .command('status')
    .description('daemon status: running / stopped / stale, heartbeat, queues, current task (exit 0 running, 3 not running, 4 stale)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => helpers.emit(await status(helpers.context()), !!opts.json, (d) => formatStatus(d, helpers.style())));

  program
    .command('tasks')
    .description('list tasks, pending first in the order they will run')
    .addOption(new Option('--status <queue>', 'only tasks in this queue').choices(QUEUE_NAMES))
    .option('--json', 'print one JSON document')
    .action(async (opts: { status?: QueueName; json?: boolean }) =>
      helpers.emit(await listTasks(helpers.context(), opts.status), !!opts.json, (d) => formatTaskList(d.tasks, helpers.style())),
    );

  program
    .command('add')
    .description('queue a manual task; prints its id')
    .argument('<description>', 'what should be done')
    .option('--file <path>', 'the file it concerns')
    .addOption(new Option('--priority <level>', 'priority').choices(PRIORITIES).default('normal'))
    .option('--json', 'print the task as JSON')
    .action(async (description: string, opts: { file?: string; priority: Priority; json?: boolean }) =>
      helpers.emit(await addTask(helpers.context(), { description, file: opts.file, priority: opts.priority }), !!opts.json, (d) => d.task.id),
    );

  const single = (name: string, summary: string, run: (ctx: CommandContext, id: string, ...rest: string[]) => Promise<CommandResult<{ task: { id: string; status: string } }>>) => {
    const cmd = program.command(name).description(summary).argument('<task-id>', 'id as shown by "fixloop tasks"');
    if (name === 'respond') cmd.argument('<answer>', 'your answer to the question');
    cmd.option('--json', 'print the task as JSON').action(async (...args: unknown[]) => {
      const strings = args.filter((a): a is string => typeof a === 'string');
      const opts = args.find((a) => a && typeof a === 'object' && !(a instanceof Command)) as { json?: boolean };
      const [id, ...rest] = strings;
      helpers.emit(await run(helpers.context(), id ?? '', ...rest), !!opts?.json, (d) => `${d.task.id} is now ${d.task.status}`);
    });
  };
  single('retry', 'move a failed task back to pending (retry_count kept)', retryTask);
  single('respond', 'answer a task waiting in needs_input; it goes back to pending with the answer', (ctx, id, answer) => respondTask(ctx, id, answer ?? ''));
  single('cancel', 'cancel a pending or needs_input task (kept as completed/cancelled)', cancelTask);

  program
    .command('doctor')
    .description('check configuration, test runner, state file and lock, watch limits, API reachability and escalation channels (exit 0 all good, 1 something failed)')
    .option('--escalation-test', 'send a test message to each configured escalation channel')
    .option('--json', 'print one JSON document')
    .action(async (opts: { escalationTest?: boolean; json?: boolean }) =>
      helpers.emit(await doctor(io, { escalationTest: !!opts.escalationTest }), !!opts.json, (d) => formatDoctor(d, helpers.style())),
    );

  for (const register of extra) register(program, helpers);

  try {
    // `fixloop` alone runs the daemon. (Commander's isDefault would also swallow typos as watch arguments.)
    const args = argv.length === 0 ? ['watch'] : [...argv];
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    const { exitCode: code, message } = describeError(error);
    io.stderr.write(`fixloop: ${message}\n`);
    return code;
  }
  return exitCode;
}
