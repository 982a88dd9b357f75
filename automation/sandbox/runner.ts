/**
 * Running commands in the sandbox: a ProcessRunner that wraps every command, and the wrapper the
 * warm runner, WORKTREE_SETUP and Claude Code sessions use for theirs.
 */
import type { ProcessRunner } from '../check/process-runner.js';
import type { SandboxPolicy } from './policy.js';
import { type SandboxKind, sandboxed } from './sandbox.js';

/** Turns a command into the command that runs it sandboxed in `cwd` (of one tree). */
export type Wrap = (
  file: string,
  args: readonly string[],
  cwd: string,
) => {
  file: string;
  args: string[];
};

/** The wrapper for processes working in `tree` (a worktree, the working tree, an export). */
export type SandboxFor = (tree: string) => Wrap;

/** The wrappers of `kind` for the policy of each tree (`policyFor(tree)`). */
export function wrapWith(
  kind: SandboxKind,
  policyFor: (tree: string) => SandboxPolicy,
): SandboxFor {
  return (tree) => (file, args, cwd) => sandboxed(kind, policyFor(tree), cwd, file, args);
}

/** `inner`, with every command run through `wrap`. */
export function sandboxedRunner(inner: ProcessRunner, wrap: Wrap): ProcessRunner {
  return {
    run(file, args, options) {
      const boxed = wrap(file, args, options.cwd);
      return inner.run(boxed.file, boxed.args, options);
    },
  };
}
