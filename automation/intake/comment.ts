/**
 * fixloop's one comment on an issue: found again by a hidden marker and edited in place, it says
 * where the work stands — queued, working, the question, the branch and pull request, or why not.
 */
import { redact } from '../redact.js';
import type { Task } from '../store/schema.js';
import { verificationLine, verificationOf } from '../work/verification.js';
import type { Phase } from './issue-tasks.js';

/** The hidden line that marks fixloop's comment on issue `n`. */
export const commentMarker = (n: number) => `<!-- fixloop:issue=${n} -->`;

/** Whether a comment is fixloop's own (never read as an answer). */
export const isOwnComment = (body: string) => body.includes('<!-- fixloop:issue=');

export interface CommentView {
  issue: number;
  phase: Phase;
  task: Task;
  attempt: number;
  maxAttempts: number;
  branch: string;
  prUrl: string | undefined;
  /** Why the previous order of this issue failed (shown while the retry runs). */
  earlierFailure: string | undefined;
}

const HEADLINES: Record<Phase, string> = {
  queued: '⏳ **Queued**',
  'in-progress': '🔧 **Working on it**',
  'needs-input': '❓ **Needs your input**',
  done: '✅ **Done**',
  failed: '❌ **Failed**',
};

/** Quotes text as a Markdown block quote, capped. */
const quoted = (text: string, max = 1500) =>
  (text.length > max ? `${text.slice(0, max)}…` : text)
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');

/** The order's verification (`2 tests prove it · 14 related pass`), else its test summary. */
function testsLine(task: Task): string | undefined {
  const v = verificationOf(task.result);
  if (v) return `Tests: ${verificationLine(v)}`;
  const tests = task.result?.tests as { summary?: string } | null | undefined;
  return tests?.summary ? `Tests: ${tests.summary}` : undefined;
}

/** The tests that prove the change, as a Markdown list (nothing when none do). */
function provingList(task: Task): string[] {
  const proving = verificationOf(task.result)?.proving ?? [];
  return proving.length
    ? [
        '',
        'Tests that fail without the change and pass with it:',
        ...proving.map((t) => `- \`${t}\``),
      ]
    : [];
}

function details(view: CommentView): string[] {
  const { task, phase } = view;
  const order = `work order \`${task.id}\` (attempt ${view.attempt} of ${view.maxAttempts})`;
  switch (phase) {
    case 'queued':
    case 'in-progress':
      return [
        `${HEADLINES[phase]}: ${order}.`,
        ...(view.earlierFailure
          ? [
              '',
              'The previous attempt failed, so this is another try:',
              quoted(view.earlierFailure),
            ]
          : []),
      ];
    case 'needs-input':
      return [
        `${HEADLINES[phase]}: ${order} has a question before it goes on.`,
        '',
        quoted(task.question ?? ''),
        '',
        'Answer in a comment on this issue. Only comments from people with write access to the ' +
          'repository are read as answers.',
      ];
    case 'done': {
      const summary = (task.plan as { summary?: string } | undefined)?.summary;
      return [
        `${HEADLINES[phase]}: ${order}.`,
        '',
        `- Branch: \`${view.branch}\``,
        `- Pull request: ${view.prUrl ?? '—'}`,
        ...(summary ? [`- Change: ${summary}`] : []),
        ...(testsLine(task) ? [`- ${testsLine(task)}`] : []),
        ...provingList(task),
      ];
    }
    case 'failed': {
      const push = task.result?.push_error as string | undefined;
      const why = push
        ? `The change passed its tests but \`${view.branch}\` could not be pushed: ${push}`
        : task.result?.pushed === false
          ? `The change passed its tests, but WORK_PUSH=false: \`${view.branch}\` was not ` +
            'pushed, so no pull request can be opened.'
          : task.outcome === 'cancelled'
            ? 'The work order was cancelled.'
            : (task.error ?? 'no reason recorded');
      return [
        `${HEADLINES[phase]} after ${view.attempt} work order${view.attempt === 1 ? '' : 's'}.`,
        '',
        quoted(why),
        '',
        `Remove the \`fixloop:failed\` label to try again.`,
      ];
    }
  }
}

/** The comment's Markdown, with every secret redacted. */
export function commentBody(view: CommentView, secrets: readonly string[]): string {
  const lines = [...details(view), '', '<sub>fixloop</sub>', commentMarker(view.issue)];
  return redact(lines.join('\n'), secrets);
}

/** The pull request's body: `Fixes #N` (for an issue), the change and its tests. */
export function pullBody(view: { issue?: number; task: Task }, secrets: readonly string[]) {
  const summary = (view.task.plan as { summary?: string } | undefined)?.summary ?? '';
  const files = (view.task.result?.files ?? []).map((f) => `\`${f}\``).join(', ');
  const lines = [
    ...(view.issue === undefined ? [] : [`Fixes #${view.issue}`, '']),
    summary,
    '',
    `Made by fixloop as work order \`${view.task.id}\`; files: ${files}.`,
    ...(testsLine(view.task) ? ['', testsLine(view.task) ?? ''] : []),
    ...provingList(view.task),
  ];
  return redact(lines.join('\n'), secrets);
}
