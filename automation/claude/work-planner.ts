/**
 * The planner of work orders: one request per order (no shared conversation, so orders planned
 * side by side never mix), a cached system prompt, a plan from a forced tool call.
 */
import type { Logger } from '../log/logger.js';
import type { Task } from '../store/schema.js';
import type { AnthropicClient } from './client.js';
import { fallbackWorkPlan } from './plan.js';
import { callPlanner } from './plan-call.js';
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
    const answer = await callPlanner(this.deps, {
      system: SYSTEM,
      maxTokens: 4096,
      messages: [{ role: 'user', content: text }],
      usage: request.usage,
      signal,
    });
    if (answer.ok) return { plan: answer.plan, fallback: false };
    if (answer.kind === 'invalid')
      this.deps.logger.warn({ task: task.id, why: answer.why }, 'work planner gave no usable plan');
    if (answer.kind === 'api')
      this.deps.logger.warn({ task: task.id, err: answer.why }, 'work planner API failed');
    return fallback(answer.why);
  }
}
