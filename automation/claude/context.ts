/**
 * What the planner is shown: the task, the failing tests, capped excerpts of the file and its test,
 * the recent diff.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Verdict } from '../check/verdict.js';
import { redact } from '../redact.js';
import type { Task } from '../store/schema.js';

export const EXCERPT_CHARS = 8000;
const DIFF_CHARS = 6000;

async function excerpt(
  root: string,
  rel: string,
  max = EXCERPT_CHARS,
): Promise<string | undefined> {
  try {
    const text = await readFile(join(root, rel), 'utf8');
    return text.length > max
      ? `${text.slice(0, max)}\n… [${text.length - max} more characters]`
      : text;
  } catch {
    return undefined;
  }
}

/** `git diff HEAD -- file` when the project is a git repository (capped; empty otherwise). */
export function recentDiff(root: string, rel: string): Promise<string> {
  if (!existsSync(join(root, '.git'))) return Promise.resolve('');
  return new Promise((resolve) =>
    execFile(
      'git',
      ['diff', '--no-color', 'HEAD', '--', rel],
      { cwd: root, timeout: 5000, maxBuffer: 1 << 20 },
      (error, stdout) => resolve(error ? '' : stdout.slice(0, DIFF_CHARS)),
    ),
  );
}

/** The failing tests as compact structured text. */
export function describeFailures(verdict: Verdict): string {
  const lines = [`Test run: ${verdict.summary}`, `Command: ${verdict.command}`];
  for (const f of verdict.failures.slice(0, 8)) {
    lines.push(`- ${f.name}${f.file ? ` (${f.file})` : ''}: ${f.message}`);
    if (f.excerpt) lines.push(`  ${f.excerpt.slice(0, 1200).split('\n').join('\n  ')}`);
  }
  if (verdict.failures.length === 0 && verdict.output_excerpt)
    lines.push('Output:', verdict.output_excerpt.slice(-2000));
  return lines.join('\n');
}

/** The user message for one planning request. Secrets are redacted. */
export async function planningMessage(
  root: string,
  task: Task,
  verdict: Verdict,
  earlierFailures: readonly string[],
  secrets: readonly string[],
): Promise<string> {
  const parts = [`Task ${task.id} (${task.type}): ${task.description}`];
  if (task.answer) parts.push(`The developer answered your earlier question: ${task.answer}`);
  parts.push('', 'Failing tests:', describeFailures(verdict));
  if (task.file_path) {
    const source = await excerpt(root, task.file_path);
    if (source !== undefined) parts.push('', `File ${task.file_path}:`, '```', source, '```');
    const diff = await recentDiff(root, task.file_path);
    if (diff) parts.push('', 'Recent change (git diff HEAD):', '```diff', diff, '```');
  }
  for (const file of new Set(
    verdict.failures.map((f) => f.file).filter((f): f is string => !!f && f !== task.file_path),
  )) {
    const test = await excerpt(root, file, EXCERPT_CHARS / 2);
    if (test !== undefined) parts.push('', `Test file ${file}:`, '```', test, '```');
    break; // one related test file is enough context
  }
  if (earlierFailures.length)
    parts.push(
      '',
      'Earlier fix attempts that failed:',
      ...earlierFailures.map((f, i) => `${i + 1}. ${f}`),
    );
  parts.push('', 'Call submit_plan with your plan.');
  return redact(parts.join('\n'), secrets);
}
