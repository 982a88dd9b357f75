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
});
export type Plan = z.output<typeof planSchema> & { fallback?: boolean };

/** Below this confidence a plan's question goes to the developer (needs_input). */
export const ASK_BELOW_CONFIDENCE = 0.5;

/** The tool the planner is forced to call. */
export const SUBMIT_PLAN_TOOL = {
  name: 'submit_plan',
  description: 'Submit the plan for fixing the failing tests. Call exactly once.',
  input_schema: {
    type: 'object' as const,
    properties: {
      summary: { type: 'string', description: 'One sentence: what the fix will do.' },
      root_cause: { type: 'string', description: 'Why the tests fail.' },
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
        description: 'How sure you are that this plan fixes the failure.',
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
