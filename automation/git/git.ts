/** The git seam: runs git commands in a repository (real repositories in tests, never a fake). */
import { execFile } from 'node:child_process';
import { FixloopError } from '../errors.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  cwd: string;
  /** Extra variables for this call (e.g. GIT_INDEX_FILE). */
  env?: Readonly<Record<string, string>>;
  timeoutMs?: number;
}

/** Runs git; resolves whatever the exit code (see `gitOk` for commands that must succeed). */
export interface Git {
  run(args: readonly string[], options: GitOptions): Promise<GitResult>;
}

/** A git command that failed; the message names the command and git's own words. */
export class GitError extends FixloopError {
  constructor(args: readonly string[], result: GitResult) {
    const said = result.stderr.trim().split('\n').at(-1) ?? '';
    super(`git ${args.slice(0, 3).join(' ')} failed (exit ${result.code}): ${said}`, {
      code: 'GIT_FAILED',
    });
  }
}

/** The real git, with `env` (the test environment: no fixloop secrets) and no prompts. */
export function createGit(env: Readonly<Record<string, string>>): Git {
  return {
    run(args, options) {
      return new Promise((resolve) => {
        execFile(
          'git',
          [...args],
          {
            cwd: options.cwd,
            env: { ...env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', ...options.env },
            timeout: options.timeoutMs ?? 60_000,
            maxBuffer: 64 * 1024 * 1024,
          },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
            resolve({ code, stdout, stderr: stderr || (error && code !== 0 ? error.message : '') });
          },
        );
      });
    },
  };
}

/** Runs git and returns its stdout, or throws GitError. */
export async function gitOk(
  git: Git,
  args: readonly string[],
  options: GitOptions,
): Promise<string> {
  const result = await git.run(args, options);
  if (result.code !== 0) throw new GitError(args, result);
  return result.stdout;
}

/** The repository's top-level directory containing `dir`, or undefined outside a repository. */
export async function repoRootOf(git: Git, dir: string): Promise<string | undefined> {
  const result = await git.run(['rev-parse', '--show-toplevel'], { cwd: dir });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** The commit `HEAD` points at, or undefined (no commit yet, or not a repository). */
export async function headCommit(git: Git, dir: string): Promise<string | undefined> {
  const result = await git.run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: dir });
  return result.code === 0 ? result.stdout.trim() : undefined;
}
