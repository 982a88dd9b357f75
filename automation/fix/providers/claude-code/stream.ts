/**
 * Reads Claude Code's stream-json messages for what fixloop's hook never sees: tool calls that
 * Claude Code's own deny rules (set by fixloop) refused before any hook ran. They are recorded
 * as refusals like the hook's, so an attempt whose every call was refused ends the fix.
 */

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
  message?: { content?: unknown };
}

const DENIED = /denied by your permission settings/i;

/** Calls `onDenied(tool, path)` for each tool call Claude Code refused by its permission rules. */
export class DeniedCalls {
  private readonly calls = new Map<string, { name: string; path: string }>();

  constructor(private readonly onDenied: (tool: string, path: string) => void) {}

  observe(msg: StreamMessage): void {
    const blocks = Array.isArray(msg.message?.content) ? (msg.message.content as Block[]) : [];
    for (const b of blocks) {
      if (msg.type === 'assistant' && b.type === 'tool_use' && b.id) {
        const input = b.input ?? {};
        this.calls.set(b.id, {
          name: b.name ?? '',
          path: String(input.file_path ?? input.path ?? input.pattern ?? ''),
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
