/** Which git repository holds a folder (synchronous: read once while building the daemon). */
import { execFileSync } from 'node:child_process';

/** The repository holding `root`, or undefined (not a git repository). */
export function repositoryOf(root: string): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}
