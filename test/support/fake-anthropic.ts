/**
 * A fake Anthropic Messages API on 127.0.0.1: scripted replies (JSON or SSE), fault injection, a
 * request log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach } from 'vitest';
import { type WireMessage, writeMessage } from '../../automation/demo/wire.js';
import { LocalServer, readBody } from './local-server.js';

export interface Block {
  type: 'text' | 'tool_use';
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

/** One scripted answer to one request. */
export type Step =
  | { reply: { content: Block[]; stop_reason?: string; usage?: Usage } }
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { drop: true }
  | { malformed: true }
  | { hang: true }
  | { delayMs: number; before?: () => void | Promise<void>; then: Step };

export interface LoggedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  at: number;
}

let ids = 0;
const nextId = (p: string) => `${p}_${(++ids).toString(36).padStart(8, '0')}`;

/** A text block. */
export const text = (t: string): Block => ({ type: 'text', text: t });
/** A tool_use block. */
export const toolUse = (name: string, input: unknown): Block => ({
  type: 'tool_use',
  id: nextId('toolu'),
  name,
  input,
});

/** The planner's forced tool call. */
export function planReply(
  plan: Partial<{
    summary: string;
    root_cause: string;
    steps: string[];
    files: string[];
    confidence: number;
    question: string;
  }> = {},
): Step {
  return {
    reply: {
      content: [
        toolUse('submit_plan', {
          summary: 'Restore the arithmetic',
          root_cause: 'An operator was changed',
          steps: ['Fix the operator'],
          files: ['src/math.js'],
          confidence: 0.9,
          ...plan,
        }),
      ],
      stop_reason: 'tool_use',
    },
  };
}

/** The fixer's editor calls (one response with one or more tool_use blocks). */
export function editReply(...calls: Array<Record<string, unknown>>): Step {
  return {
    reply: {
      content: [
        text('Applying the fix.'),
        ...calls.map((c) => toolUse('str_replace_based_edit_tool', c)),
      ],
      stop_reason: 'tool_use',
    },
  };
}

/** The fixer ending its attempt. */
export const doneReply = (): Step => ({
  reply: { content: [text('Done.')], stop_reason: 'end_turn' },
});

export class FakeAnthropic extends LocalServer {
  readonly requests: LoggedRequest[] = [];
  private readonly script: Step[] = [];
  /** Usage reported with every reply. */
  usage: Usage = {
    input_tokens: 1000,
    output_tokens: 200,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };

  /** Answers by content when it returns a step (parallel callers); else the script's next one. */
  route: ((body: any) => Step | undefined) | undefined;

  /** Appends steps; each request to /v1/messages takes the next one. */
  push(...steps: Step[]): this {
    this.script.push(...steps);
    return this;
  }

  get remaining(): number {
    return this.script.length;
  }

  /** Requests to /v1/messages only. */
  get messages(): LoggedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/v1/messages'));
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { raw, json: body } = await readBody(req);
    const path = (req.url ?? '').split('?')[0] ?? '';
    this.requests.push({
      method: req.method ?? '',
      path,
      headers: req.headers,
      raw,
      body,
      at: Date.now(),
    });
    if (req.method === 'GET' && path === '/v1/models') {
      return json(res, 200, {
        data: [
          {
            type: 'model',
            id: 'claude-sonnet-5-5',
            display_name: 'Fake',
            created_at: '2026-01-01T00:00:00Z',
          },
        ],
        has_more: false,
        first_id: null,
        last_id: null,
      });
    }
    if (req.method !== 'POST' || path !== '/v1/messages')
      return json(res, 404, { type: 'error', error: { type: 'not_found_error', message: path } });
    const step = this.route?.(body) ??
      this.script.shift() ?? {
        status: 500,
        body: {
          type: 'error',
          error: { type: 'api_error', message: 'fake server: no scripted response left' },
        },
      };
    await this.play(step, body as { stream?: boolean; model?: string }, res);
  }

  private async play(
    step: Step,
    body: { stream?: boolean; model?: string } | undefined,
    res: ServerResponse,
  ): Promise<void> {
    if ('delayMs' in step) {
      await step.before?.();
      await new Promise((r) => setTimeout(r, step.delayMs));
      return this.play(step.then, body, res);
    }
    if ('drop' in step) return void res.socket?.destroy();
    if ('hang' in step) return;
    if ('malformed' in step) {
      res.writeHead(200, {
        'content-type': body?.stream ? 'text/event-stream' : 'application/json',
      });
      return void res.end(
        body?.stream
          ? 'event: message_start\ndata: {"type":"message_start","message":{not json\n\n'
          : '{"id": "msg_1", "content": [ {',
      );
    }
    if ('status' in step) {
      const errType =
        step.status === 429
          ? 'rate_limit_error'
          : step.status === 529
            ? 'overloaded_error'
            : step.status === 401
              ? 'authentication_error'
              : 'api_error';
      res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
      return void res.end(
        JSON.stringify(
          step.body ?? { type: 'error', error: { type: errType, message: `fake ${step.status}` } },
        ),
      );
    }
    const message = {
      id: nextId('msg'),
      type: 'message',
      role: 'assistant',
      model: body?.model ?? 'claude-sonnet-5-5',
      content: step.reply.content,
      stop_reason: step.reply.stop_reason ?? 'end_turn',
      stop_sequence: null,
      usage: step.reply.usage ?? this.usage,
    };
    writeMessage(res, message as WireMessage, !!body?.stream);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': nextId('req') });
  res.end(JSON.stringify(body));
}

const started: FakeAnthropic[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

/** Starts a fake server that is closed after the test. */
export async function fakeAnthropic(): Promise<FakeAnthropic> {
  const server = await new FakeAnthropic().start();
  started.push(server);
  return server;
}
