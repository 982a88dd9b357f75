/**
 * vitest's global setup: fixloop's cache (worktrees, baseline copies) goes to a folder of the run,
 * removed at its end, never to the developer's own `~/.cache/fixloop`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'fixloop-test-cache-'));
  process.env.XDG_CACHE_HOME = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
