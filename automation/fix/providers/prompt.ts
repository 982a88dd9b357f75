/** What every provider tells the model at the start of an attempt. */
import { describeFailures } from '../../claude/context.js';
import { orderText } from '../../claude/work-context.js';
import type { ApplyInput } from './provider.js';

/** The first message of an attempt: plan, failure, earlier attempts. */
export function attemptPrompt(input: ApplyInput): string {
  const { task, plan } = input;
  if (task.type === 'work') return workPrompt(input);
  const file = task.file_path ? ` (${task.file_path})` : '';
  return [
    `Attempt ${input.attempt} of ${input.maxAttempts} for task ${task.id}${file}.`,
    '',
    `Plan: ${plan.summary}`,
    `Root cause: ${plan.root_cause}`,
    'Steps:',
    ...plan.steps.map((s, i) => `${i + 1}. ${s}`),
    plan.files.length ? `Files: ${plan.files.join(', ')}` : '',
    '',
    'Failing tests now:',
    describeFailures(input.failure),
    ...(input.earlierFailures.length
      ? [
          '',
          'Earlier attempts were rolled back because:',
          ...input.earlierFailures.map((f, i) => `${i + 1}. ${f}`),
        ]
      : []),
  ].join('\n');
}

/** The first message of a work order's attempt: the order, the plan, earlier attempts. */
function workPrompt(input: ApplyInput): string {
  const { task, plan } = input;
  return [
    `Attempt ${input.attempt} of ${input.maxAttempts} for work order ${task.id}.`,
    '',
    orderText(task),
    ...(task.answer ? [`The developer answered: ${task.answer}`] : []),
    '',
    `Plan: ${plan.summary}`,
    'Steps:',
    ...plan.steps.map((s, i) => `${i + 1}. ${s}`),
    plan.files.length ? `Files: ${plan.files.join(', ')}` : '',
    '',
    'Make the change, and add tests in new test files that prove it. The related tests of every',
    'file you change must pass, and no test that passed before may fail.',
    ...(input.earlierFailures.length
      ? [
          '',
          'Earlier attempts were rolled back because:',
          ...input.earlierFailures.map((f, i) => `${i + 1}. ${f}`),
        ]
      : []),
  ].join('\n');
}
