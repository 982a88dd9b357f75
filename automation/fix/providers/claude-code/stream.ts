/**
 * Reads Claude Code's messages (as the Agent SDK yields them) for what fixloop's hooks never see:
 * tool calls that Claude Code's own deny rules (set by fixloop) refused before any hook ran. They
 * are recorded as refusals like the hook's, so an attempt whose every call was refused ends the
 * fix.
 */

import { firstWords, type ToolCall } from '../../../transcript/entry.js';

interface Block {
  type?: string;
  id?: string;
  name?: string;
  input?: Record<string, unknown>;
  tool_use_id?: string;
  is_error?: boolean;
  content?: unknown;
}

interface StreamMessage {
  type?: string;
  message?: unknown;
}

/** The content blocks of an assistant or user message (none for other messages). */
const blocksOf = (msg: StreamMessage): Block[] => {
  const content = (msg.message as { content?: unknown } | undefined)?.content;
  return typeof msg.message === 'object' && Array.isArray(content) ? (content as Block[]) : [];
};

const DENIED = /denied by your permission settings/i;

/**
 * The transcript's view of an assistant message: first words and tool calls with paths (relative
 * to `root` when inside it).
 */
export function turnOf(
  msg: StreamMessage,
  root: string,
): { said: string; tools: ToolCall[] } | undefined {
  if (msg.type !== 'assistant') return undefined;
  const blocks = blocksOf(msg);
  const said = blocks
    .filter((b) => b.type === 'text')
    .map((b) => textOf((b as { text?: unknown }).text))
    .join('\n');
  const tools = blocks
    .filter((b) => b.type === 'tool_use')
    .map((b) => {
      const abs = pathOf(b.input ?? {});
      const path = abs.startsWith(`${root}/`) ? abs.slice(root.length + 1) : abs;
      return { tool: b.name ?? 'tool', ...(path ? { path } : {}) };
    });
  return { said: firstWords(said), tools };
}

/** The path (or pattern) a Claude Code tool call names; never its content or command. */
const pathOf = (input: Record<string, unknown>) =>
  String(input.file_path ?? input.notebook_path ?? input.path ?? input.pattern ?? '').slice(0, 300);

/** Calls `onDenied(tool, path)` for each tool call Claude Code refused by its permission rules. */
export class DeniedCalls {
  private readonly calls = new Map<string, { name: string; path: string }>();

  constructor(private readonly onDenied: (tool: string, path: string) => void) {}

  observe(msg: StreamMessage): void {
    for (const b of blocksOf(msg)) {
      if (msg.type === 'assistant' && b.type === 'tool_use' && b.id) {
        const input = b.input ?? {};
        this.calls.set(b.id, {
          name: b.name ?? '',
          path: pathOf(input),
        });
      } else if (
        msg.type === 'user' &&
        b.type === 'tool_result' &&
        b.is_error &&
        b.tool_use_id &&
        DENIED.test(textOf(b.content))
      ) {
        const call = this.calls.get(b.tool_use_id);
        if (call) this.onDenied(call.name, call.path);
      }
    }
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((c) =>
        typeof c === 'object' && c && 'text' in c ? String((c as { text: unknown }).text) : '',
      )
      .join('\n');
  return '';
}
