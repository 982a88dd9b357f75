/**
 * The sandbox a daemon in `root` would use (bubblewrap here: the tests need it, as CI installs
 * it), for tests that drive checkers and sessions directly.
 */
import { existsSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isolation } from '../../automation/app/sandbox.js';
import { loadConfig } from '../../automation/config/load.js';
import { tempDir } from './tmp.js';

/** The isolation of a daemon for `root`, with `env` on top (a fresh cache folder). */
export function isolationFor(root: string, env: Record<string, string> = {}) {
  const config = loadConfig({
    cwd: root,
    env: { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: tempDir('fixloop-cache-'), ...env },
  });
  const iso = isolation(config);
  if (!iso.tests || !iso.agent)
    throw new Error(`these tests need a sandbox: ${iso.choice.why} (install bubblewrap)`);
  return { config, tests: iso.tests, agent: iso.agent };
}

/** A PATH with git and node only (no bwrap): a machine without a sandbox. */
export function pathWithoutSandbox(): string {
  const bin = tempDir('fixloop-bin-');
  for (const tool of ['git', 'node']) {
    const found = (process.env.PATH ?? '')
      .split(delimiter)
      .map((d) => join(d, tool))
      .find((p) => existsSync(p));
    if (found) symlinkSync(found, join(bin, tool));
  }
  return bin;
}
