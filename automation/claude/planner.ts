/**
 * The interactive planner: one conversation per daemon run, a cached stable prefix, plans from a
 * forced tool call.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { Verdict } from '../check/verdict.js';
import type { Logger } from '../log/logger.js';
import type { Task } from '../store/schema.js';
import type { AnthropicClient } from './client.js';
import { planningMessage } from './context.js';
import { fallbackPlan, type Plan } from './plan.js';
import { callPlanner } from './plan-call.js';
import type { UsageMeter, UsageTotals } from './usage.js';

type Message = Anthropic.MessageParam;

export const MAX_TURNS = 20;
export const MAX_HISTORY_CHARS = 120_000;

const SYSTEM = `You are the planner of fixloop, a tool that keeps a developer's tests green while
they code. When a change breaks tests you receive the failing tests, the changed file and context.
Work out the root cause and give a short, concrete plan that another model will apply with a file
editor. Rules: prefer fixing the source over changing tests; keep the change minimal; never touch
secrets, .env files, .git, node_modules or generated files. If the intended behaviour is
genuinely ambiguous (the tests and the change disagree and either could be right), set a low
confidence and ask the developer one precise question. Always answer by calling submit_plan.`;

export interface PlanOutcome {
  plan: Plan;
  /** True when the API failed and the fallback strategy is used. */
  fallback: boolean;
  error?: string;
}

/** One planning request: the task, its failure, and the workspace root to read context from. */
export interface PlanRequest {
  task: Task;
  verdict: Verdict;
  /** Why earlier attempts failed. */
  earlier: readonly string[];
  /** Spend of this task, added to. */
  usage: UsageTotals;
  /** The workspace the plan is for: files and diffs are read from here. */
  root: string;
  signal?: AbortSignal;
}

/** What the fix engine needs from a planner (this one, or the basic strategy alone). */
export interface PlanSource {
  plan(request: PlanRequest): Promise<PlanOutcome>;
  /** Tells the conversation how the previous plan went (sent with the next request). */
  noteOutcome(text: string): void;
}

export class Planner implements PlanSource {
  private history: Message[] = [];
  /** The tool_use id of the last plan, answered at the start of the next turn. */
  private openToolUse: string | undefined;
  /** How that plan went, told to the planner at the start of the next turn. */
  private pendingOutcome = 'No outcome recorded.';

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

  /** Tells the conversation how the previous plan went (sent with the next request). */
  noteOutcome(text: string): void {
    this.pendingOutcome = text;
  }

  async plan(request: PlanRequest): Promise<PlanOutcome> {
    const { task, verdict, signal } = request;
    const taskUsage = request.usage;
    const text = await planningMessage(
      request.root,
      task,
      verdict,
      request.earlier,
      this.deps.secrets,
    );
    const content: Anthropic.ContentBlockParam[] = [];
    if (this.openToolUse)
      content.push({
        type: 'tool_result',
        tool_use_id: this.openToolUse,
        content: this.pendingOutcome,
      });
    content.push({ type: 'text', text });
    const messages: Message[] = [...this.history, { role: 'user', content }];
    const answer = await callPlanner(this.deps, {
      system: SYSTEM,
      maxTokens: 2048,
      messages,
      usage: taskUsage,
      signal,
    });
    if (!answer.ok) {
      const why = answer.why;
      if (answer.kind === 'invalid')
        this.deps.logger.warn(
          { task: task.id, why },
          'planner answered without a usable plan; using the fallback strategy',
        );
      if (answer.kind === 'api')
        this.deps.logger.warn(
          { task: task.id, err: why, permanent: answer.permanent },
          'planner API failed after the SDK retries; using the fallback strategy',
        );
      // At the hourly cap no call is made: the basic strategy (the attempt then stops at the cap).
      return { plan: fallbackPlan(task.file_path, why), fallback: true, error: why };
    }
    this.history = this.bounded([...messages, { role: 'assistant', content: answer.content }]);
    this.openToolUse = answer.toolUseId;
    this.pendingOutcome = 'No outcome recorded.';
    return { plan: answer.plan, fallback: false };
  }

  /**
   * Keeps the last MAX_TURNS messages and about MAX_HISTORY_CHARS, starting at a plain user turn.
   */
  private bounded(history: Message[]): Message[] {
    let out = history.slice(-MAX_TURNS);
    while (out.length > 2 && JSON.stringify(out).length > MAX_HISTORY_CHARS) out = out.slice(2);
    // The first message must be a user turn that does not answer a tool_use we dropped.
    while (
      out.length &&
      (out[0]?.role !== 'user' ||
        (Array.isArray(out[0].content) && out[0].content.some((b) => b.type === 'tool_result')))
    ) {
      const first = out[0];
      if (first?.role === 'user' && Array.isArray(first.content)) {
        const kept = first.content.filter((b) => b.type !== 'tool_result');
        out = [{ role: 'user', content: kept }, ...out.slice(1)];
        if (kept.length) break;
      }
      out = out.slice(1);
    }
    return out;
  }
}
