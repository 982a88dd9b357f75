/**
 * A small node --test project in a real git repository with a bare `origin`, and what a work
 * order's scripted model says in it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { projectCacheDir } from '../../automation/config/cache-dir.js';
import type { State, Task } from '../../automation/store/schema.js';
import { runCli } from './cli.js';
import { doneReply, planReply, type Step, toolUse } from './fake-anthropic.js';
import { commitAll, git } from './git.js';
import { tempDir } from './tmp.js';

export const SLUG_OK = 'export const slug = (s) => s.trim().toLowerCase().replace(/\\s+/g, "-");\n';
export const SLUG_BAD = 'export const slug = (s) => s;\n';
export const SLUG_TEST =
  'import { test } from "node:test";\nimport assert from "node:assert/strict";\n' +
  'import { slug } from "../src/slug.js";\n' +
  'test("slug", () => assert.equal(slug(" Hello World "), "hello-world"));\n';

/** A repository with src/math.js and its test, committed on `main`, and a bare origin. */
export function workRepo(): { root: string; origin: string; head: string } {
  const root = tempDir('fixloop-work-');
  const write = (rel: string, text: string) => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  write('package.json', '{"type":"module","scripts":{"test":"node --test"}}\n');
  write('src/math.js', 'export const add = (a, b) => a + b;\n');
  write(
    'test/math.test.js',
    'import { test } from "node:test";\nimport assert from "node:assert/strict";\n' +
      'import { add } from "../src/math.js";\ntest("add", () => assert.equal(add(2, 3), 5));\n',
  );
  writeFileSync(join(root, '.gitignore'), 'state/\nlogs/\n');
  const head = commitAll(root);
  git(root, 'config', 'user.name', 'Repo Owner');
  git(root, 'config', 'user.email', 'owner@example.test');
  const origin = tempDir('fixloop-origin-');
  git(origin, 'init', '-q', '--bare');
  git(root, 'remote', 'add', 'origin', origin);
  return { root, origin, head };
}

/** The environment of a daemon or command working on `root`'s orders. */
export function workEnv(root: string, fake: { url: string }, extra: Record<string, string> = {}) {
  const cache = tempDir('fixloop-cache-');
  return {
    ANTHROPIC_API_KEY: 'sk-ant-api03-TESTKEY-work-orders-0123456789',
    ANTHROPIC_BASE_URL: fake.url,
    XDG_CACHE_HOME: cache,
    MAX_RETRIES: '0',
    // One order at a time: scripted model answers come in request order (parallel tests say 3).
    MAX_WORKERS: '1',
    RETRY_MIN_DELAY_MS: '10',
    RETRY_MAX_DELAY_MS: '20',
    ...extra,
    PROJECT_ROOT: root,
  };
}

/** Where the worktree of `taskId` lives for a project started with `env`. */
export function worktreeOf(root: string, env: Record<string, string>, taskId: string): string {
  return join(projectCacheDir(env, root), 'worktrees', taskId);
}

/** The model's side of an order that writes `files` (path → content) in one attempt (api). */
export function writesFiles(files: Record<string, string>): Step[] {
  return [
    {
      reply: {
        content: Object.entries(files).map(([path, file_text]) =>
          toolUse('str_replace_based_edit_tool', { command: 'create', path, file_text }),
        ),
        stop_reason: 'tool_use',
      },
    },
    doneReply(),
  ];
}

/** The planner's answer for an order about `files`. */
export const workPlan = (summary: string, files: string[]) =>
  planReply({ summary, root_cause: 'Asked for', steps: ['Write it'], files });

/** Hashes of every file under `root` but fixloop's own folders (state, logs), and `.git/index`. */
export function treeHashes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      const rel = relative(root, abs);
      if (['state', 'logs', 'node_modules', '.git'].includes(rel)) continue;
      if (statSync(abs).isDirectory()) visit(abs);
      else out[rel] = createHash('sha256').update(readFileSync(abs)).digest('hex');
    }
  };
  visit(root);
  for (const f of ['.git/index', '.git/HEAD', '.git/refs/heads/main'])
    out[f] = createHash('sha256')
      .update(readFileSync(join(root, f)))
      .digest('hex');
  return out;
}

/**
 * A model for orders run side by side: each request is answered by what it asks (plan, edits,
 * done) after `delayMs`; the order `make <name>` writes src/<name>.js and its passing test.
 */
export function parallelModel(delayMs: number) {
  return (body: { tools?: Array<{ name: string }>; messages?: Array<{ content: unknown }> }) => {
    const text = JSON.stringify(body.messages ?? []);
    const name = /make (\w+)/.exec(text)?.[1] ?? 'thing';
    const last = body.messages?.at(-1)?.content;
    const step: Step = body.tools?.some((t) => t.name === 'submit_plan')
      ? workPlan(`Make ${name}`, [`src/${name}.js`])
      : Array.isArray(last) && last.some((b: { type?: string }) => b.type === 'tool_result')
        ? doneReply()
        : (writesFiles({
            [`src/${name}.js`]: `export const ${name} = () => '${name}';\n`,
            [`test/${name}.test.js`]:
              'import { test } from "node:test";\nimport assert from "node:assert/strict";\n' +
              `import { ${name} } from "../src/${name}.js";\n` +
              `test("${name}", () => assert.equal(${name}(), "${name}"));\n`,
          })[0] as Step);
    return { delayMs, then: step } as Step;
  };
}

/** Whether every order of `ids` has ended (completed or failed). */
export const ended = (ids: string[]) => (s: State) =>
  ids.every((id) => [...s.queues.completed, ...s.queues.failed].some((t) => t.id === id));

/** Whether order `id` has ended. */
export const finished = (id: string) => ended([id]);

/** Order `id` among the ended ones. */
export const taskIn = (s: State, id: string) =>
  [...s.queues.completed, ...s.queues.failed].find((t) => t.id === id) as Task;

/** `fixloop add …args`: the new order's id (nothing on stderr but that it waits for a daemon). */
export async function add(root: string, env: Record<string, string>, ...args: string[]) {
  const run = await runCli(['add', ...args], { cwd: root, env });
  expect(run.stderr.replace(/^queued; it runs when `fixloop watch` is running.*\n/, '')).toBe('');
  expect(run.code).toBe(0);
  return run.stdout.trim();
}
