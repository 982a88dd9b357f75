/** The plan the interactive planner returns through a forced tool call, validated with zod. */
import * as z from 'zod/mini';
import '../validate.js';

export const planSchema = z.object({
  summary: z.string().check(z.minLength(1)),
  root_cause: z.string().check(z.minLength(1)),
  steps: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  files: z._default(z.array(z.string()), []),
  confidence: z.number().check(z.minimum(0), z.maximum(1)),
  question: z.optional(z.string().check(z.minLength(1))),
  /** A split work order's parts; `after` holds indexes of earlier parts. */
  parts: z.optional(
    z.array(
      z.object({
        description: z.string().check(z.minLength(1)),
        files: z._default(z.array(z.string()), []),
        after: z._default(z.array(z.number().check(z.int(), z.minimum(0))), []),
      }),
    ),
  ),
});
export type Plan = z.output<typeof planSchema> & { fallback?: boolean };

/** Below this confidence a plan's question goes to the developer (needs_input). */
export const ASK_BELOW_CONFIDENCE = 0.5;

/** The tool the planner is forced to call. */
export const SUBMIT_PLAN_TOOL = {
  name: 'submit_plan',
  description: 'Submit the plan (for a fix or a work order). Call exactly once.',
  input_schema: {
    type: 'object' as const,
    properties: {
      summary: { type: 'string', description: 'One sentence: what the fix will do.' },
      root_cause: {
        type: 'string',
        description: 'Why the tests fail (a work order: what the change must achieve).',
      },
      steps: { type: 'array', items: { type: 'string' }, description: 'Concrete edits, in order.' },
      files: {
        type: 'array',
        items: { type: 'string' },
        description: 'Files to edit, relative to the project root.',
      },
      confidence: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        description: 'How sure you are that this plan fixes the failure or does the work.',
      },
      parts: {
        type: 'array',
        description: 'Only when asked to split a work order: its smaller work orders.',
        items: {
          type: 'object',
          properties: {
            description: { type: 'string' },
            files: { type: 'array', items: { type: 'string' } },
            after: { type: 'array', items: { type: 'integer' }, description: 'indexes' },
          },
          required: ['description'],
        },
      },
      question: {
        type: 'string',
        description:
          'Only when the intended behaviour is ambiguous: one question for the developer.',
      },
    },
    required: ['summary', 'root_cause', 'steps', 'files', 'confidence'],
  },
};

/** Used when the planner API is unavailable: the fixer works from the failure alone. */
export function fallbackPlan(filePath: string | null, reason: string): Plan {
  return {
    summary:
      'Make the failing tests pass with the smallest correct change to the source ' +
      '(basic strategy: the planner was unavailable).',
    root_cause: `Unknown (planner unavailable: ${reason}).`,
    steps: [
      'Read the failing tests and the code they exercise.',
      'Find the change that broke them.',
      'Fix the source, not the tests.',
    ],
    files: filePath ? [filePath] : [],
    confidence: 0.3,
    fallback: true,
  };
}

/** Used for a work order when the planner is unavailable: the fixer works from the description. */
export function fallbackWorkPlan(description: string, files: readonly string[], reason: string) {
  const plan: Plan = {
    summary: description.split('\n')[0]?.slice(0, 200) || 'Carry out the work order',
    root_cause: `The work order as described (planner unavailable: ${reason}).`,
    steps: [
      'Read the files involved.',
      'Make the described change.',
      'Add tests in new test files that prove it.',
    ],
    files: [...files],
    confidence: 0.3,
    fallback: true,
  };
  return plan;
}
