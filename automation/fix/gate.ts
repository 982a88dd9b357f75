/**
 * The claude-code provider's gate: Claude Code's PreToolUse/PostToolUse hooks ask it, over
 * 127.0.0.1 with a per-attempt token, whether a tool call may run. It applies the same rules as
 * the api provider's editor (sandbox, snapshot + journal before every write, user edits win).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserEditError, type SandboxedEditor } from './editor.js';

export interface HookInput {
  hook_event_name?: string;
  tool_name?: string;
  tool_input?: Record<string, unknown>;
}

export interface HookDecision {
  permissionDecision?: 'allow' | 'deny';
  reason?: string;
}

const READS = new Set(['Read', 'Glob', 'Grep', 'LS']);
const WRITES = new Set(['Edit', 'Write', 'MultiEdit']);

/** The content an Edit / MultiEdit / Write will leave (Claude Code's replacement semantics). */
export function contentAfter(tool: string, input: Record<string, unknown>, current: string | null): string {
  if (tool === 'Write') return String(input.content ?? '');
  const edits = tool === 'MultiEdit' ? ((input.edits as Array<Record<string, unknown>>) ?? []) : [input];
  let text = current ?? '';
  for (const e of edits) {
    const from = String(e.old_string ?? '');
    const to = String(e.new_string ?? '');
    text = e.replace_all ? text.split(from).join(to) : text.replace(from, () => to);
  }
  return text;
}

export class Gate {
  private server: Server | undefined;
  readonly token = randomBytes(16).toString('hex');
  url = '';
  /** Set when the user edited a file the fixer was about to write: the attempt must stop. */
  userEdit: UserEditError | undefined;

  constructor(private readonly editor: SandboxedEditor) {}

  /** Decides one hook call. */
  async decide(input: HookInput): Promise<HookDecision> {
    const tool = input.tool_name ?? '';
    const args = input.tool_input ?? {};
    const path = String(args.file_path ?? args.path ?? args.notebook_path ?? '');
    if (input.hook_event_name === 'PostToolUse') {
      if (WRITES.has(tool) && path) await this.editor.confirmWrite(path);
      return {};
    }
    if (this.userEdit) return { permissionDecision: 'deny', reason: this.userEdit.message };
    if (READS.has(tool)) {
      if (!path) return { permissionDecision: 'allow' };
      const refusal = await this.editor.authorizeRead(tool, path);
      return refusal ? { permissionDecision: 'deny', reason: `refused: ${refusal}` } : { permissionDecision: 'allow' };
    }
    if (WRITES.has(tool)) {
      try {
        const refusal = await this.editor.prepareWrite(tool, path, (current) => contentAfter(tool, args, current));
        return refusal ? { permissionDecision: 'deny', reason: `refused: ${refusal}` } : { permissionDecision: 'allow' };
      } catch (error) {
        if (error instanceof UserEditError) {
          this.userEdit = error;
          return { permissionDecision: 'deny', reason: error.message };
        }
        throw error;
      }
    }
    return { permissionDecision: 'deny', reason: `refused: fixloop only allows Read, Glob, Grep, Edit, MultiEdit and Write (not ${tool})` };
  }

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      let raw = '';
      for await (const c of req) raw += c;
      let decision: HookDecision;
      if (req.headers.authorization !== `Bearer ${this.token}`) decision = { permissionDecision: 'deny', reason: 'bad gate token' };
      else {
        try {
          decision = await this.decide(JSON.parse(raw) as HookInput);
        } catch (error) {
          decision = { permissionDecision: 'deny', reason: `gate error: ${(error as Error).message}` };
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(decision));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server?.closeAllConnections?.();
  }
}
