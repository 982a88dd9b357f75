/** The command line of one headless Claude Code run: stream-json, five tools, fixloop's rules. */
import type { Wrap } from '../../../sandbox/runner.js';

const RULES = `You are fixloop's headless fixer. Apply the plan with Read, Edit and Write. To find
files use Glob, or Grep listing matching files (output_mode files_with_matches), then Read them.
Paths are inside the project root; existing test files, .env files, .git, node_modules, files
holding credentials and files outside the project are refused. Make the smallest change that makes
the failing tests pass (a work order: the described change, with new tests proving it), then
stop.`;

/** Arguments for `claude` (the prompt is already redacted). */
export function cliArgs(
  options: { model: string; maxTurns: number; maxBudgetUsd: number },
  prompt: string,
  settingsPath: string,
): string[] {
  return [
    '-p',
    prompt,
    '--output-format',
    'stream-json',
    '--verbose',
    '--model',
    options.model,
    '--max-turns',
    String(options.maxTurns),
    '--max-budget-usd',
    options.maxBudgetUsd.toFixed(2),
    '--tools',
    'Read,Edit,Write,Glob,Grep',
    // Reads are auto-approved (still gated by the hook); Edit/Write are not, so only the hook's
    // "allow" lets them run.
    '--allowedTools',
    'Read,Glob,Grep',
    '--permission-mode',
    'default',
    '--setting-sources',
    '',
    '--settings',
    settingsPath,
    '--strict-mcp-config',
    '--append-system-prompt',
    RULES,
  ];
}

/** The model API when ANTHROPIC_BASE_URL is not set. */
export const DEFAULT_API = 'https://api.anthropic.com';

/** The command that runs the CLI at `cliPath` (a .js file runs with this Node), through `wrap`. */
export function cliCommand(
  cliPath: string,
  args: string[],
  cwd: string,
  wrap: Wrap | undefined,
): { file: string; args: string[] } {
  const js = cliPath.endsWith('.js');
  const file = js ? process.execPath : cliPath;
  const argv = js ? [cliPath, ...args] : args;
  return wrap?.(file, argv, cwd) ?? { file, args: argv };
}
