import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type WireBlock, writeMessage } from '../../automation/demo/wire.js';
import { stateSchema } from '../../automation/store/schema.js';
import { type Daemon, startDaemon } from '../support/daemon.js';
import { TEST_KEY } from '../support/fix-harness.js';
import { tempDir } from '../support/tmp.js';
import { machine, report, sleep } from './support.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const FILES = ['src/a.js', 'src/b.js', 'src/c.js', 'src/d.js'];
const CHECK = [
  "const fs = require('fs');",
  `const files = process.argv.slice(2).length ? process.argv.slice(2) : ${JSON.stringify(FILES)};`,
  'process.exit(files.every((f) => !fs.existsSync(f) || ' +
    `fs.readFileSync(f, 'utf8').includes('"good-')) ? 0 : 1);`,
  '',
].join('\n');
const rand = (n: number) => Math.floor(Math.random() * n);

/** A model that views, then fixes right or wrong at random, and sometimes fails like a real API. */
async function chaoticModel() {
  const stats = { calls: 0, faults: 0, right: 0, wrong: 0 };
  let id = 0;
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"data":[],"has_more":false,"first_id":null,"last_id":null}');
    }
    stats.calls++;
    const roll = Math.random();
    if (roll < 0.05) {
      stats.faults++;
      return void res.socket?.destroy();
    }
    if (roll < 0.1) {
      stats.faults++;
      res.writeHead(500, { 'content-type': 'application/json', 'retry-after-ms': '20' });
      return void res.end('{"type":"error","error":{"type":"api_error","message":"soak"}}');
    }
    if (roll < 0.13) {
      stats.faults++;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '50' });
      return void res.end('{"type":"error","error":{"type":"rate_limit_error","message":"soak"}}');
    }
    const body = JSON.parse(raw || '{}') as {
      stream?: boolean;
      tools?: Array<{ name: string }>;
      messages: Array<{ role: string; content: unknown }>;
    };
    const tool = (name: string, input: unknown): WireBlock => ({
      type: 'tool_use',
      id: `toolu_soak${++id}`,
      name,
      input,
    });
    let content: WireBlock[];
    let stop = 'tool_use';
    const text = JSON.stringify(body.messages);
    const file =
      /task_[0-9a-f]{8} \((src\/[a-d]\.js)\)/.exec(text)?.[1] ??
      /File (src\/[a-d]\.js):/.exec(text)?.[1] ??
      'src/a.js';
    if (body.tools?.some((t) => t.name === 'submit_plan')) {
      content = [
        tool('submit_plan', {
          summary: 'make it good',
          root_cause: 'bad value',
          steps: ['fix the value'],
          files: [file],
          confidence: 0.9,
        }),
      ];
    } else if (body.messages.length === 1) {
      content = [tool('str_replace_based_edit_tool', { command: 'view', path: file })];
    } else if (body.messages.length === 3) {
      // from the view result
      const bad = /bad-(\d+)/.exec(JSON.stringify(body.messages.at(-1)))?.[1];
      const right = Math.random() < 0.5;
      if (bad && right) stats.right++;
      else if (bad) stats.wrong++;
      content = bad
        ? [
            tool('str_replace_based_edit_tool', {
              command: 'str_replace',
              path: file,
              old_str: `"bad-${bad}"`,
              new_str: right ? `"good-${bad}"` : `"worse-${bad}"`,
            }),
          ]
        : [{ type: 'text', text: 'nothing to do' }];
      if (!bad) stop = 'end_turn';
    } else {
      content = [{ type: 'text', text: 'Done.' }];
      stop = 'end_turn';
    }
    writeMessage(
      res,
      {
        id: `msg_soak${++id}`,
        type: 'message',
        role: 'assistant',
        model: 'soak',
        content,
        stop_reason: stop,
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 5 },
      },
      !!body.stream,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

it(`soak: ${SECONDS} s of random saves, API faults and SIGKILLs keep every invariant`, async () => {
  const cwd = tempDir();
  mkdirSync(join(cwd, 'src'));
  writeFileSync(join(cwd, 'check.cjs'), CHECK);
  const allowed = new Map<string, Set<string>>();
  let n = 0;
  const save = (file: string, good: boolean) => {
    const value = `${good ? 'good' : 'bad'}-${++n}`;
    const text = `export const v = "${value}";\n`;
    const set = allowed.get(file) ?? new Set<string>();
    set.add(text);
    if (!good) set.add(text.replace('"bad-', '"good-')); // what a passing fix writes
    allowed.set(file, set);
    writeFileSync(join(cwd, file), text);
  };
  for (const f of FILES) save(f, true);

  const model = await chaoticModel();
  const env = {
    ANTHROPIC_API_KEY: TEST_KEY,
    ANTHROPIC_BASE_URL: model.url,
    TEST_COMMAND: 'node check.cjs {files}',
    WATCH_EXTENSIONS: '.js',
    FILE_WATCH_DEBOUNCE_SECONDS: '0.2',
    MAX_RETRIES: '2',
    RETRY_MIN_DELAY_MS: '50',
    RETRY_MAX_DELAY_MS: '200',
    CIRCUIT_BREAKER_THRESHOLD: '4',
    CIRCUIT_BREAKER_WINDOW: '15',
    HEARTBEAT_INTERVAL_SECONDS: '1',
    SHUTDOWN_TIMEOUT_SECONDS: '10',
  };
  const outputs: string[] = [];
  let daemon: Daemon = startDaemon(cwd, env);
  await daemon.waitFor(/Running/);
  let saves = 0;
  let kills = 0;
  let nextKill = Date.now() + 5000 + rand(10_000);
  const until = Date.now() + SECONDS * 1000;
  while (Date.now() < until) {
    save(FILES[rand(FILES.length)]!, Math.random() < 0.4);
    saves++;
    await sleep(150 + rand(700));
    if (Date.now() > nextKill) {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
      outputs.push(daemon.output);
      kills++;
      daemon = startDaemon(cwd, env);
      await daemon.waitFor(/Running/, 30_000);
      nextKill = Date.now() + 5000 + rand(10_000);
    }
  }
  daemon.child.kill('SIGINT');
  const { code } = await daemon.exited;
  outputs.push(daemon.output);
  await model.close();
  expect(code).toBe(0);

  // 1. The state file validates.
  const state = stateSchema.parse(
    JSON.parse(readFileSync(join(cwd, 'state/app_state.json'), 'utf8')),
  );
  // 2. Every task created is in exactly one queue (or was dropped by the finished queues' size
  // limits).
  const created = new Set(
    outputs.flatMap((o) => [...o.matchAll(/Created task (task_[0-9a-f]{8})/g)].map((m) => m[1]!)),
  );
  const where = new Map<string, string[]>();
  for (const [queue, tasks] of Object.entries(state.queues) as Array<
    [string, Array<{ id: string }>]
  >)
    for (const t of tasks) where.set(t.id, [...(where.get(t.id) ?? []), queue]);
  for (const [id, queues] of where) expect(queues, id).toHaveLength(1);
  const missing = [...created].filter((id) => !where.has(id));
  if (missing.length)
    expect(state.queues.completed.length + state.queues.failed.length).toBeGreaterThanOrEqual(50);
  expect(state.queues.in_progress).toEqual([]);
  // 3. No file holds content that neither the user nor a passing fix wrote.
  for (const f of FILES)
    expect(
      allowed.get(f)?.has(readFileSync(join(cwd, f), 'utf8')),
      `${f}: ${readFileSync(join(cwd, f), 'utf8')}`,
    ).toBe(true);

  const outcomes = [...state.queues.completed, ...state.queues.failed].reduce<
    Record<string, number>
  >((m, t) => ({ ...m, [t.outcome ?? '?']: (m[t.outcome ?? '?'] ?? 0) + 1 }), {});
  report(
    `Soak (${machine()})`,
    [
      'seconds',
      'saves',
      'SIGKILLs',
      'tasks created',
      'finished (kept)',
      'model calls',
      'API faults injected',
      'right / wrong edits',
      'invariants',
    ],
    [
      [
        String(SECONDS),
        String(saves),
        String(kills),
        String(created.size),
        JSON.stringify(outcomes).replace(/"/g, ''),
        String(model.stats.calls),
        String(model.stats.faults),
        `${model.stats.right} / ${model.stats.wrong}`,
        'state valid · one queue per task · no foreign content',
      ],
    ],
    [
      `Failure reasons: ${JSON.stringify(
        Object.entries(
          state.queues.failed.reduce<Record<string, number>>((m, t) => {
            const k = String(t.error)
              .replace(/task_[0-9a-f]{8}|\d+/g, 'N')
              .slice(0, 70);
            return { ...m, [k]: (m[k] ?? 0) + 1 };
          }, {}),
        ),
      )}`,
    ],
  );
});
