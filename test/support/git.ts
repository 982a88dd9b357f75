/** Real git repositories for tests: a project committed as it is, with an identity of its own. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs git in `cwd` and returns its stdout (throws on failure). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: cwd,
      GIT_AUTHOR_NAME: 'Test Dev',
      GIT_AUTHOR_EMAIL: 'dev@example.test',
      GIT_COMMITTER_NAME: 'Test Dev',
      GIT_COMMITTER_EMAIL: 'dev@example.test',
    },
  });
}

/** Makes `dir` a repository whose one commit holds everything but node_modules. */
export function commitAll(dir: string, message = 'initial'): string {
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n', { flag: 'a' });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD').trim();
}
