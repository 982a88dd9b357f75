/**
 * The planner of work orders: one request per order (no shared conversation, so orders planned
 * side by side never mix), a cached system prompt, a plan from a forced tool call.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { Logger } from '../log/logger.js';
import type { Task } from '../store/schema.js';
import { type AnthropicClient, describeApiError } from './client.js';
import { fallbackWorkPlan, planSchema, SUBMIT_PLAN_TOOL } from './plan.js';
import type { PlanOutcome } from './planner.js';
import type { UsageMeter, UsageTotals } from './usage.js';
import { workPlanningMessage } from './work-context.js';

const SYSTEM = `You are the planner of fixloop. A developer described a change (a work order) that
another model will carry out with a file editor in an isolated copy of the repository. Give a
short, concrete plan: the files to create or edit and the edits, in order. The change must be
proved by tests: plan new test files for new behaviour (existing tests may only change when the
order asks for it). Keep the change focused on the order. Never touch secrets, .env files, .git,
node_modules or generated files. If the order is genuinely ambiguous, set a low confidence and
ask the developer one precise question. Always answer by calling submit_plan.`;

export interface WorkPlanRequest {
  task: Task;
  /** The worktree: files and the repository map are read from here. */
  root: string;
  usage: UsageTotals;
  /** Ask for the order's parts (`--split`). */
  split: boolean;
  signal?: AbortSignal;
}

/** What the work stage needs from a planner. */
export interface WorkPlanSource {
  plan(request: WorkPlanRequest): Promise<PlanOutcome>;
}

export class WorkPlanner implements WorkPlanSource {
  constructor(
    private readonly deps: {
      client: AnthropicClient;
      model: string;
      projectSummary: string;
      secrets: readonly string[];
      logger: Logger;
      usage: UsageMeter;
    },
  ) {}

  async plan(request: WorkPlanRequest): Promise<PlanOutcome> {
    const { task, signal } = request;
    const fallback = (why: string): PlanOutcome => ({
      plan: fallbackWorkPlan(task.description, task.files ?? [], why),
      fallback: true,
      error: why,
    });
    const text = await workPlanningMessage(request.root, task, {
      split: request.split,
      secrets: this.deps.secrets,
    });
    const release = this.deps.usage.reserve();
    if (!release) return fallback(this.deps.usage.capText());
    try {
      const response = await this.deps.client.messages
        .create(
          {
            model: this.deps.model,
            max_tokens: 4096,
            system: [
              {
                type: 'text',
                text: `${SYSTEM}\n\nProject:\n${this.deps.projectSummary}`,
                cache_control: { type: 'ephemeral' },
              },
            ],
            tools: [SUBMIT_PLAN_TOOL],
            tool_choice: { type: 'tool', name: SUBMIT_PLAN_TOOL.name },
            messages: [{ role: 'user', content: text }],
          },
          signal ? { signal } : undefined,
        )
        .finally(release);
      this.deps.usage.record(this.deps.model, response.usage, request.usage);
      const call = response.content.find(
        (b): b is Anthropic.ToolUseBlock =>
          b.type === 'tool_use' && b.name === SUBMIT_PLAN_TOOL.name,
      );
      const parsed = planSchema.safeParse(call?.input);
      if (!call || !parsed.success) {
        const why = call
          ? `invalid plan (${parsed.error?.issues[0]?.message})`
          : 'no submit_plan call in the response';
        this.deps.logger.warn({ task: task.id, why }, 'work planner gave no usable plan');
        return fallback(why);
      }
      return { plan: parsed.data, fallback: false };
    } catch (error) {
      if (signal?.aborted) throw error;
      const why = describeApiError(error);
      this.deps.logger.warn({ task: task.id, err: why }, 'work planner API failed');
      return fallback(why);
    }
  }
}
