/**
 * Code the model wrote runs in the sandbox (CONTRACT §8, Isolation): an order's test and a fix's
 * module try to read a secret in $HOME and fixloop's state, write outside their tree and reach a
 * server on 127.0.0.1 — the order is done, the fix made, and none of it got out; SANDBOX=off is
 * as before (the same order escapes, so the probes do detect it); SANDBOX=required without
 * bubblewrap refuses to start. Real bwrap, real CLI, real runners, a scripted model.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkerFor } from '../../automation/app/checker.js';
import { SANDBOX_HINT } from '../../automation/check/checker.js';
import type { State, Task } from '../../automation/store/schema.js';
import { runCli } from '../support/cli.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { doneReply, editReply, fakeAnthropic, planReply } from '../support/fake-anthropic.js';
import { TEST_KEY } from '../support/fix-harness.js';
import { commitAll } from '../support/git.js';
import { edit, makeProject } from '../support/project.js';
import { isolationFor, pathWithoutSandbox } from '../support/sandbox.js';
import { tempDir } from '../support/tmp.js';
import { workEnv, workPlan, workRepo, writesFiles } from '../support/work-repo.js';

const SECRET = 'ssh-ed25519 the-developers-private-key';

/** A server on 127.0.0.1 that counts who reached it. */
async function listener(): Promise<{ port: number; reached: () => number; server: Server }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no port');
  return { port: address.port, reached: () => count, server };
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A developer's home with a key in it, and where a probe tries to write. */
async function targets() {
  const home = tempDir('fixloop-home-');
  mkdirSync(join(home, '.ssh'));
  writeFileSync(join(home, '.ssh/id_ed25519'), SECRET);
  const outside = tempDir('fixloop-outside-');
  const server = await listener();
  servers.push(server.server);
  return { home, outside, server };
}

/**
 * Module text that tries each way out at import: reads of `reads` and a connection to `port`
 * (exported: what worked), writes of `writes` (judged from outside: inside, $HOME is an empty
 * folder of its own that a write to does not leave).
 */
function probe(reads: string[], writes: string[], port: number): string {
  return `import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
const tried = (f) => { try { f(); return true; } catch { return false; } };
for (const p of ${JSON.stringify(writes)}) tried(() => writeFileSync(p, 'pwned'));
export const escaped = {
  read: ${JSON.stringify(reads)}.filter((p) => tried(() => readFileSync(p, 'utf8'))),
  reached: await new Promise((done) => {
    const socket = connect(${port}, '127.0.0.1');
    socket.on('connect', () => { socket.destroy(); done(true); });
    socket.on('error', () => done(false));
  }),
};
`;
}

const NONE = { read: [], reached: false };
const ended = (id: string) => (s: State) =>
  [...s.queues.completed, ...s.queues.failed].some((t) => t.id === id);
const taskIn = (s: State, id: string) =>
  [...s.queues.completed, ...s.queues.failed].find((t) => t.id === id) as Task;

/** A work order whose model writes the probe and a test that passes only if nothing got out. */
async function probingOrder(sandbox: 'auto' | 'off') {
  const { root } = workRepo();
  const { home, outside, server } = await targets();
  const fake = await fakeAnthropic();
  const env = { ...workEnv(root, fake), HOME: home, SANDBOX: sandbox };
  const reads = [join(home, '.ssh/id_ed25519'), join(root, 'state/app_state.json')];
  const writes = [join(outside, 'pwned'), join(home, 'pwned'), join(root, 'src/pwned.js')];
  const added = await runCli(['add', 'add a probe module'], { cwd: root, env });
  const id = added.stdout.trim();
  fake.push(
    workPlan('Add probe', ['src/probe.js', 'test/probe.test.js']),
    ...writesFiles({
      'src/probe.js': probe(reads, writes, server.port),
      'test/probe.test.js':
        'import { test } from "node:test";\nimport assert from "node:assert/strict";\n' +
        'import { escaped } from "../src/probe.js";\n' +
        `test("stays inside", () => assert.deepEqual(escaped, ${JSON.stringify(NONE)}));\n`,
    }),
  );
  const daemon = startDaemon(root, env);
  const task = taskIn(await waitForState(root, ended(id), 90_000), id);
  daemon.child.kill('SIGINT');
  await daemon.exited;
  return { task, writes, server, output: daemon.output };
}

describe('the sandbox holds what the model wrote', () => {
  it("an order's test that tries to get out: the order is done, nothing got out", async () => {
    const { task, writes, server, output } = await probingOrder('auto');
    expect(output).toMatch(
      /Sandbox: bubblewrap for tests, WORKTREE_SETUP and Claude Code \(no network but loopback;/,
    );
    expect(task).toMatchObject({ outcome: 'done' });
    expect(server.reached()).toBe(0);
    for (const path of writes) expect(existsSync(path)).toBe(false);
  }, 120_000);

  it('SANDBOX=off is as before: the same order reads, writes and connects', async () => {
    const { task, writes, server, output } = await probingOrder('off');
    expect(output).toMatch(/Sandbox: none \(SANDBOX=off\)/);
    // The probe test fails, naming what escaped: the order is not done.
    expect(task.outcome).toBe('failed');
    expect(task.error).toMatch(/stays inside/);
    expect(server.reached()).toBe(1);
    for (const path of writes) expect(existsSync(path)).toBe(true);
  }, 120_000);

  it('a fix whose module tries to get out: fixed, nothing got out', async () => {
    const cwd = makeProject('vitest-project');
    commitAll(cwd);
    const { home, outside, server } = await targets();
    const reads = [join(home, '.ssh/id_ed25519'), join(cwd, 'state/app_state.json')];
    const writes = [join(outside, 'pwned'), join(home, 'pwned'), join(cwd, 'state/pwned')];
    // The "fix": right only if nothing escaped (else the tests fail and it is rolled back).
    const fixed =
      `${probe(reads, writes, server.port)}` +
      'const out = escaped.read.length + (escaped.reached ? 1 : 0);\n' +
      'export function add(a, b) {\n  return out ? a - b : a + b;\n}\n' +
      'export function multiply(a, b) {\n  return a * b;\n}\n';
    const fake = await fakeAnthropic();
    fake.push(
      planReply(),
      editReply({ command: 'create', path: 'src/math.js', file_text: fixed }),
      doneReply(),
    );
    const daemon = startDaemon(cwd, {
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      HOME: home,
    });
    await daemon.waitFor(/Running/);
    edit(cwd, 'src/math.js', 'return a + b;', 'return a - b;');
    const state = await waitForState(cwd, (s) =>
      [...s.queues.completed, ...s.queues.failed].some((t) => t.outcome && t.outcome !== 'clean'),
    );
    expect(state.queues.failed).toEqual([]);
    expect(state.queues.completed.at(-1)).toMatchObject({ outcome: 'fixed' });
    expect(server.reached()).toBe(0);
    for (const path of writes) expect(existsSync(path)).toBe(false);
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 120_000);

  it('a test that needs the network fails saying which variable to change', async () => {
    const root = makeProject('vitest-project');
    writeFileSync(
      join(root, 'test/network.test.js'),
      "import { lookup } from 'node:dns/promises';\nimport { it } from 'vitest';\n" +
        "it('reaches the registry', async () => { await lookup('registry.example.com'); });\n",
    );
    const { config, tests } = isolationFor(root);
    const target = { scope: 'files' as const, files: ['test/network.test.js'] };
    const boxed = await checkerFor(config, root, { sandbox: tests }).check(target);
    expect(boxed.status).toBe('failed');
    expect(boxed.summary).toContain(`; ${SANDBOX_HINT}`);
    // The same failure outside the sandbox (no network here either) gets no such hint.
    const plain = await checkerFor(config, root).check(target);
    expect(plain.status).toBe('failed');
    expect(plain.summary).not.toContain(SANDBOX_HINT);
  }, 60_000);

  it('a tool on PATH under /tmp (a virtualenv made there) is the one the run finds', async () => {
    const root = makeProject('vitest-project');
    const bin = join(tempDir('fixloop-venv-'), 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'fixloop-probe-tool'), '#!/bin/sh\necho from-the-venv\n', {
      mode: 0o755,
    });
    writeFileSync(
      join(root, 'test/tool.test.js'),
      "import { execFileSync } from 'node:child_process';\nimport { expect, it } from 'vitest';\n" +
        "it('runs the tool', () => {\n" +
        "  expect(execFileSync('fixloop-probe-tool').toString()).toBe('from-the-venv\\n');\n});\n",
    );
    const { config, tests } = isolationFor(root, { PATH: `${bin}:${process.env.PATH}` });
    const target = { scope: 'files' as const, files: ['test/tool.test.js'] };
    const boxed = await checkerFor(config, root, { sandbox: tests }).check(target);
    expect(boxed.summary).toMatch(/1 passed/);
    expect(boxed.status).toBe('passed');
  }, 60_000);

  it("STATE_FILE in the project's root: a worktree still reads the checkout, not the state", () => {
    const root = makeProject('vitest-project');
    commitAll(root);
    writeFileSync(join(root, 'app_state.json'), '{"secret": "state"}\n');
    const { tests } = isolationFor(root, { STATE_FILE: 'app_state.json' });
    const worktree = tempDir('fixloop-wt-');
    const cat = (file: string) => {
      const boxed = tests(worktree)('cat', [file], worktree);
      return execFileSync(boxed.file, boxed.args, { cwd: worktree, stdio: 'pipe' }).toString();
    };
    expect(cat(join(root, 'src/math.js'))).toMatch(/a \+ b/);
    expect(() => cat(join(root, 'app_state.json'))).toThrow(/Permission denied/);
  });

  it('SANDBOX=required without bubblewrap on PATH refuses to start (exit 2)', async () => {
    const cwd = makeProject('vitest-project');
    commitAll(cwd);
    // A PATH with git and node, and no bwrap.
    const bin = pathWithoutSandbox();
    const run = await runCli(['watch'], { cwd, env: { SANDBOX: 'required', PATH: bin } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SANDBOX=required, but there is no sandbox here/);
    expect(run.stderr).toMatch(/bubblewrap is not installed \(.*apt-get install bubblewrap/);
    expect(existsSync(join(cwd, 'state/app_state.json'))).toBe(false);
    expect(readFileSync(join(cwd, 'src/math.js'), 'utf8')).toMatch(/a \+ b/);
  }, 60_000);
});
