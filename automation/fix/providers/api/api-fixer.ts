/**
 * Headless fixer, provider `api`: a bounded agent loop on the Messages API with the text editor
 * tool.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { AnthropicClient } from '../../../claude/client.js';
import type { UsageMeter, UsageTotals } from '../../../claude/usage.js';
import { redact } from '../../../redact.js';
import { firstWords } from '../../../transcript/entry.js';
import { CostCapError } from '../../errors.js';
import type { FileGuard } from '../../safety/guard.js';
import { attemptPrompt } from '../prompt.js';
import type { ApplyInput, ApplyResult, HeadlessProvider } from '../provider.js';
import { type EditorInput, SandboxedEditor } from './editor.js';

export const MAX_TURNS_PER_ATTEMPT = 12;

const SYSTEM = `You are the headless fixer of fixloop. Apply the plan with the
str_replace_based_edit_tool editor: view what you need, then make the smallest edits that make the
failing tests pass, or, for a work order, that carry out the change with new tests proving it.
Paths are relative to the project root. You may not edit existing tests, .env files, .git,
node_modules or files outside the project; such calls are refused. Do not explain at length: edit,
then stop.`;

export class ApiFixer implements HeadlessProvider {
  readonly name = 'api';

  constructor(
    private readonly deps: {
      client: AnthropicClient;
      model: string;
      usage: UsageMeter;
      secrets: readonly string[];
      maxTurns?: number;
    },
  ) {}

  async apply(
    input: ApplyInput,
    guard: FileGuard,
    signal: AbortSignal,
    taskUsage: UsageTotals,
  ): Promise<ApplyResult> {
    const editor = new SandboxedEditor(guard);
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: redact(attemptPrompt(input), this.deps.secrets) },
    ];
    const maxTurns = this.deps.maxTurns ?? MAX_TURNS_PER_ATTEMPT;
    let stopReason = 'max_turns';
    let finalText = '';
    for (let turn = 1; turn <= maxTurns; turn++) {
      signal.throwIfAborted();
      // Checked before every call, counting calls under way: parallel workers hold the cap too.
      const release = await this.deps.usage.admit(signal);
      if (!release) throw new CostCapError(this.deps.usage.capText());
      // Its spend is recorded before its hold is released: a call waiting on it sees both.
      const response = await this.deps.client.messages
        .stream(
          {
            model: this.deps.model,
            max_tokens: 8192,
            system: [{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } }],
            tools: [
              {
                type: 'text_editor_20250728',
                name: 'str_replace_based_edit_tool',
                max_characters: 40_000,
              },
            ],
            messages,
          },
          { signal },
        )
        .finalMessage()
        .then((r) => {
          this.deps.usage.record(this.deps.model, r.usage, taskUsage);
          return r;
        })
        .finally(release);
      messages.push({ role: 'assistant', content: response.content });
      finalText = response.content
        .filter((b): b is Anthropic.TextBlock => b.type === 'text')
        .map((b) => b.text)
        .join('\n');
      const calls = response.content.filter(
        (b): b is Anthropic.ToolUseBlock => b.type === 'tool_use',
      );
      input.onTurn?.({
        turn,
        said: firstWords(finalText),
        tools: calls.map((c) => {
          const { command, path } = (c.input ?? {}) as Partial<EditorInput>;
          return { tool: String(command ?? c.name), ...(path ? { path: String(path) } : {}) };
        }),
      });
      if (response.stop_reason !== 'tool_use' || calls.length === 0) {
        stopReason = response.stop_reason ?? 'end_turn';
        return { turns: turn, stopReason, finalText };
      }
      const results: Anthropic.ToolResultBlockParam[] = [];
      for (const call of calls) {
        // UserEditError stops the attempt here
        const outcome = await editor.execute(call.input as EditorInput);
        results.push({
          type: 'tool_result',
          tool_use_id: call.id,
          content: redact(outcome.content, this.deps.secrets),
          is_error: outcome.isError,
        });
      }
      messages.push({ role: 'user', content: results });
    }
    return { turns: maxTurns, stopReason, finalText };
  }
}
