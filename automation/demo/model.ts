/**
 * The demo's stand-in for Claude: a local server with recorded answers, clearly labelled as such on
 * screen.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WireBlock, writeMessage } from './wire.js';

type Body = {
  model?: string;
  stream?: boolean;
  tools?: Array<{ name: string }>;
  messages?: Array<{ role: string; content: unknown }>;
};

let n = 0;
const id = (p: string) => `${p}_demo${(++n).toString().padStart(4, '0')}`;
const tool = (name: string, input: unknown): WireBlock => ({
  type: 'tool_use',
  id: id('toolu'),
  name,
  input,
});

/** Recorded answers: math.js gets the right fix; price.js gets a wrong one every time. */
function answer(body: Body): { content: WireBlock[]; stop: string; note: string } {
  const messages = body.messages ?? [];
  const text = JSON.stringify(messages);
  if (/Work order task_|for work order task_/.test(text)) return workAnswer(body, messages);
  const price = text.includes('src/price.js');
  if (body.tools?.some((t) => t.name === 'submit_plan')) {
    const plan = price
      ? {
          summary: 'Restore the tax rate in withTax()',
          root_cause: 'The multiplier was changed',
          steps: ['Set the tax multiplier back'],
          files: ['src/price.js'],
          confidence: 0.8,
        }
      : {
          summary: 'Make add() add again',
          root_cause: 'add() was changed to subtract',
          steps: ['Replace a - b with a + b in src/math.js'],
          files: ['src/math.js'],
          confidence: 0.95,
        };
    return {
      content: [tool('submit_plan', plan)],
      stop: 'tool_use',
      note: `planner: "${plan.summary}"`,
    };
  }
  const last = messages.at(-1);
  if (last && Array.isArray(last.content))
    return { content: [{ type: 'text', text: 'Done.' }], stop: 'end_turn', note: 'fixer: done' };
  const edit = price
    ? {
        command: 'str_replace',
        path: 'src/price.js',
        old_str: 'amount * 1.02',
        new_str: 'amount * 1.12',
      }
    : {
        command: 'str_replace',
        path: 'src/math.js',
        old_str: 'return a - b;',
        new_str: 'return a + b;',
      };
  return {
    content: [{ type: 'text', text: 'Editing.' }, tool('str_replace_based_edit_tool', edit)],
    stop: 'tool_use',
    note: `fixer: edit ${edit.path} (${edit.old_str} → ${edit.new_str})`,
  };
}

const CLAMP = 'export function clamp(n, lo, hi) {\n  return Math.min(hi, Math.max(lo, n));\n}\n';
const CLAMP_TEST =
  "import { expect, it } from 'vitest';\nimport { clamp } from '../src/clamp.js';\n\n" +
  "it('clamps', () => {\n  expect([clamp(5, 0, 3), clamp(-1, 0, 3), clamp(2, 0, 3)])" +
  '.toEqual([3, 0, 2]);\n});\n';

/** Recorded answers for the demo's work order: a clamp() helper and its test. */
function workAnswer(
  body: Body,
  messages: NonNullable<Body['messages']>,
): { content: WireBlock[]; stop: string; note: string } {
  if (body.tools?.some((t) => t.name === 'submit_plan')) {
    const plan = {
      summary: 'Add a clamp() helper and its test',
      root_cause: 'Asked for by the work order',
      steps: ['Write src/clamp.js', 'Write test/clamp.test.js'],
      files: ['src/clamp.js', 'test/clamp.test.js'],
      confidence: 0.9,
    };
    return {
      content: [tool('submit_plan', plan)],
      stop: 'tool_use',
      note: `planner: "${plan.summary}"`,
    };
  }
  const last = messages.at(-1);
  if (last && Array.isArray(last.content))
    return { content: [{ type: 'text', text: 'Done.' }], stop: 'end_turn', note: 'fixer: done' };
  const create = (path: string, file_text: string) =>
    tool('str_replace_based_edit_tool', { command: 'create', path, file_text });
  return {
    content: [create('src/clamp.js', CLAMP), create('test/clamp.test.js', CLAMP_TEST)],
    stop: 'tool_use',
    note: 'fixer: create src/clamp.js and test/clamp.test.js',
  };
}

/** Starts the recorded model on 127.0.0.1; `say` prints what it answers. */
export async function startDemoModel(
  say: (line: string) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    if (req.method === 'GET' && req.url?.startsWith('/v1/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(
        JSON.stringify({
          data: [
            {
              type: 'model',
              id: 'demo-model',
              display_name: 'Recorded demo model',
              created_at: '2026-01-01T00:00:00Z',
            },
          ],
          has_more: false,
          first_id: null,
          last_id: null,
        }),
      );
    }
    const body = JSON.parse(raw || '{}') as Body;
    const { content, stop, note } = answer(body);
    say(note);
    writeMessage(
      res,
      {
        id: id('msg'),
        type: 'message',
        role: 'assistant',
        model: body.model ?? 'demo-model',
        content,
        stop_reason: stop,
        stop_sequence: null,
        usage: { input_tokens: 1200, output_tokens: 150 },
      },
      !!body.stream,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A local webhook that prints the escalations it receives. */
export async function startSink(
  say: (line: string) => void,
): Promise<{ url: string; received: unknown[]; close: () => Promise<void> }> {
  const received: unknown[] = [];
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    const event = JSON.parse(raw || '{}') as { title?: string; level?: string; reason?: string };
    received.push(event);
    say(`${event.level}: ${event.title} — ${String(event.reason).slice(0, 120)}`);
    res.writeHead(202).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/escalations`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
