/**
 * TEST_COMMAND: a shell command; `{files}` becomes the shell-quoted changed files. Exit code 0
 * passes.
 */
import type { RunnerAdapter } from '../runner.js';
import { unreadable } from '../runner.js';

/** POSIX shell quoting. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command line for a target; the suite (or no files) leaves `{files}` empty. */
export function expandTestCommand(command: string, files: readonly string[]): string {
  return command.replaceAll('{files}', files.map(shellQuote).join(' '));
}

export function customRunner(command: string): RunnerAdapter {
  return {
    name: 'custom',
    invocation(target) {
      return {
        file: '/bin/sh',
        args: ['-c', expandTestCommand(command, target.scope === 'suite' ? [] : target.files)],
      };
    },
    read(result) {
      if (result.spawnError) return unreadable(result, result.spawnError);
      const failed = result.exitCode !== 0;
      const lastLine = result.output.trim().split('\n').at(-1) ?? '';
      return {
        status: failed ? 'failed' : 'passed',
        counts: { passed: failed ? 0 : 1, failed: failed ? 1 : 0, skipped: 0, total: 1 },
        failures: failed
          ? [
              {
                name: 'TEST_COMMAND',
                file: null,
                message: lastLine || `exited with code ${result.exitCode}`,
                excerpt: result.output.slice(-1500),
              },
            ]
          : [],
      };
    },
  };
}
