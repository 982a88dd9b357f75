/**
 * One planning request, shared by the fix planner and the work planner: admitted against the
 * hourly cap, a cached system prompt, a forced submit_plan call, its spend recorded, the plan
 * validated. Never throws for the API (only when `signal` aborted it).
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { AnthropicClient } from './client.js';
import { describeApiError, isPermanentApiError } from './client.js';
import { type Plan, planSchema, SUBMIT_PLAN_TOOL } from './plan.js';
import type { UsageMeter, UsageTotals } from './usage.js';

export interface PlanCallDeps {
  client: AnthropicClient;
  model: string;
  projectSummary: string;
  usage: UsageMeter;
}

export type PlanCall =
  | { ok: true; plan: Plan; content: Anthropic.ContentBlock[]; toolUseId: string }
  /** `cap`: not sent (the hourly cap); `invalid`: no usable plan; `api`: the API failed. */
  | { ok: false; kind: 'cap' | 'invalid' | 'api'; why: string; permanent?: boolean };

/** Sends `messages` to the planner model with `system` and asks for a plan. */
export async function callPlanner(
  deps: PlanCallDeps,
  request: {
    system: string;
    maxTokens: number;
    messages: Anthropic.MessageParam[];
    /** The task's spend, added to. */
    usage: UsageTotals;
    signal?: AbortSignal | undefined;
  },
): Promise<PlanCall> {
  const { signal } = request;
  const release = await deps.usage.admit(signal);
  if (!release) return { ok: false, kind: 'cap', why: deps.usage.capText() };
  try {
    const response = await deps.client.messages
      .create(
        {
          model: deps.model,
          max_tokens: request.maxTokens,
          system: [
            {
              type: 'text',
              text: `${request.system}\n\nProject:\n${deps.projectSummary}`,
              cache_control: { type: 'ephemeral' },
            },
          ],
          tools: [SUBMIT_PLAN_TOOL],
          tool_choice: { type: 'tool', name: SUBMIT_PLAN_TOOL.name },
          messages: request.messages,
        },
        signal ? { signal } : undefined,
      )
      // Recorded before the hold is released: a call waiting on it sees the spend too.
      .then((r) => {
        deps.usage.record(deps.model, r.usage, request.usage);
        return r;
      })
      .finally(release);
    const call = response.content.find(
      (b): b is Anthropic.ToolUseBlock => b.type === 'tool_use' && b.name === SUBMIT_PLAN_TOOL.name,
    );
    const parsed = planSchema.safeParse(call?.input);
    if (!call || !parsed.success) {
      const why = call
        ? `invalid plan (${parsed.error?.issues[0]?.message})`
        : 'no submit_plan call in the response';
      return { ok: false, kind: 'invalid', why };
    }
    return { ok: true, plan: parsed.data, content: response.content, toolUseId: call.id };
  } catch (error) {
    if (signal?.aborted) throw error;
    const why = describeApiError(error);
    return { ok: false, kind: 'api', why, permanent: isPermanentApiError(error) };
  }
}
