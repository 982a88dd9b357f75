/**
 * The settings each Claude Code run gets: deny rules that keep secret stores, credential files and
 * unwatched folders out of Read, Grep and Glob. They go in a private temp file (a long list of
 * hidden files would overflow a command-line argument).
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { ALWAYS_IGNORED_DIRS } from '../../../fs/ignored-dirs.js';
import { processScratch, type Scratch } from '../../../fs/scratch.js';
import { absoluteRule } from './secret-files.js';

/** Secret stores by name, in Claude Code's permission-rule syntax (gitignore-like). */
const PRIVATE = [
  '**/.env',
  '**/.env.*',
  '**/.env-*',
  '**/*.env',
  '**/.envrc',
  '**/.npmrc',
  '**/.netrc',
  '**/.pypirc',
  '**/.pgpass',
];

/**
 * Folders fixloop never watches (VCS, dependencies, build output, caches): hidden from Claude Code
 * as a whole.
 */
export const SKIPPED_DIRS: ReadonlySet<string> = ALWAYS_IGNORED_DIRS;

/**
 * The settings object: Claude Code's deny rules for the fixed names, the skipped folders and
 * `hidden` (absolute paths). Hooks are not here: the Agent SDK registers fixloop's in-process.
 */
export function claudeCodeSettings(hidden: readonly string[]) {
  return {
    // Claude Code's own deny rules also keep these out of Grep and Glob results (the gate sees only
    // the folder searched).
    permissions: {
      deny: [
        ...PRIVATE.flatMap((p) => [`Read(${p})`, `Edit(${p})`]),
        ...[...SKIPPED_DIRS].map((d) => `Read(**/${d}/**)`),
        ...hidden.map((abs) => absoluteRule('Read', abs)),
      ],
    },
  };
}

/**
 * Writes the settings to a new mode-0600 file in this process's temp folder; `remove` deletes it.
 */
export async function writeSettingsFile(
  settings: object,
  scratch: Scratch = processScratch,
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = scratch.path(`claude-settings-${randomBytes(4).toString('hex')}.json`);
  await writeFile(path, JSON.stringify(settings), { mode: 0o600, flag: 'wx' });
  return { path, remove: () => rm(path, { force: true }) };
}
