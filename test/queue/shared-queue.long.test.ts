/**
 * The shared queue against a real redis-server (CONTRACT.md §7): orders added in one clone are
 * carried out by `fixloop worker` processes in two other clones and delivered on a shared bare
 * origin; a worker killed mid-order, Redis restarted mid-run, and Redis down for `add`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { type Daemon, startDaemon, waitForState } from '../support/daemon.js';
import { fakeAnthropic, planReply } from '../support/fake-anthropic.js';
import { fakeGitHubRepo } from '../support/fake-github.js';
import { git } from '../support/git.js';
import { startRedis } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';
import {
  parallelModel,
  SLUG_OK,
  SLUG_TEST,
  workEnv,
  workPlan,
  workRepo,
  writesFiles,
} from '../support/work-repo.js';

const PASSWORD = 'queue-pass-9f8e7d6c5b4a';
const GH_TOKEN = 'ghp_sharedQueueTestToken0123456789abcdef';

const PAD = 'export const pad = (s, n) => String(s).padStart(n, "0");\n';
const PAD_TEST =
  'import { test } from "node:test";\nimport assert from "node:assert/strict";\n' +
  'import { pad } from "../src/pad.js";\ntest("pad", () => assert.equal(pad(7, 3), "007"));\n';

interface Listed {
  id: string;
  description?: string;
  parent_id?: string;
  status: string;
  outcome?: string;
  stalls?: number;
  worker_id?: string;
  result?: {
    branch: string;
    commit: string;
    pr_url?: string;
    verification?: { proving: string[] };
  };
}

/** A repository pushed to a bare origin, and `n` more clones of that origin. */
function clones(n: number) {
  const { root, origin, head } = workRepo();
  git(root, 'push', '-q', 'origin', 'HEAD:main');
  git(origin, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  const others = Array.from({ length: n }, () => {
    const dir = join(tempDir('fixloop-clone-'), 'repo');
    git(tempDir(), 'clone', '-q', origin, dir);
    return dir;
  });
  return { root, origin, head, others };
}

async function tasks(root: string, env: Record<string, string>): Promise<Listed[]> {
  const run = await runCli(['tasks', '--json'], { cwd: root, env });
  expect(run.stderr).toBe('');
  return (JSON.parse(run.stdout) as { tasks: Listed[] }).tasks;
}

/** Polls `fixloop tasks` until every id has ended. */
async function untilEnded(root: string, env: Record<string, string>, ids: string[], ms = 90_000) {
  const until = Date.now() + ms;
  for (;;) {
    const list = await tasks(root, env);
    const ended = ids.map((id) => list.find((t) => t.id === id && t.outcome));
    if (ended.every(Boolean)) return ended as Listed[];
    if (Date.now() > until) throw new Error(`orders not ended: ${JSON.stringify(list, null, 1)}`);
    await new Promise((r) => setTimeout(r, 600));
  }
}

async function add(root: string, env: Record<string, string>, args: string[]): Promise<string> {
  const run = await runCli(['add', ...args], { cwd: root, env });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout.trim();
}

async function startWorker(dir: string, env: Record<string, string>, concurrency = 1) {
  const worker = startDaemon(dir, env, ['worker', '--concurrency', String(concurrency)]);
  await worker.waitFor(/Taking work orders from/);
  return worker;
}

/** The commits of `branch` on origin that `main` lacks. */
const ahead = (origin: string, branch: string) =>
  git(origin, 'rev-list', `main..${branch}`).split('\n').filter(Boolean);
const rev = (dir: string, ref: string) => git(dir, 'rev-parse', ref).trim();

describe('the shared queue', () => {
  it('four orders from one clone, carried out by workers in two others, each delivered once', async () => {
    const redis = await startRedis(PASSWORD);
    const fake = await fakeAnthropic();
    fake.route = parallelModel(300);
    const { root, origin, head, others } = clones(2);
    const github = await fakeGitHubRepo(GH_TOKEN, 'acme/shop', origin);
    const shared = {
      QUEUE_URL: redis.url,
      QUEUE_LOCK_SECONDS: '2',
      GITHUB_TOKEN: GH_TOKEN,
      GITHUB_REPO: 'acme/shop',
      GITHUB_API_URL: github.url,
    };
    const env = workEnv(root, fake, shared);
    const workers: Daemon[] = [];
    for (const dir of others) workers.push(await startWorker(dir, workEnv(dir, fake, shared)));
    const ids: string[] = [];
    for (const name of ['alpha', 'beta', 'gamma']) ids.push(await add(root, env, [`make ${name}`]));
    // The fourth builds on the first, whichever worker runs either.
    ids.push(await add(root, env, ['make delta', '--after', ids[0] as string]));
    const ended = await untilEnded(root, env, ids);
    for (const t of ended) expect(t.outcome).toBe('done');
    for (const [i, t] of ended.entries()) {
      const branch = `fixloop/${ids[i]}`;
      expect(t.result?.branch).toBe(branch);
      expect(rev(origin, branch)).toBe(t.result?.commit);
      // Proved on the worker: the test it added fails at the base and passes with it.
      const name = ['alpha', 'beta', 'gamma', 'delta'][i];
      expect(t.result?.verification?.proving).toEqual([`test/${name}.test.js > ${name}`]);
    }
    // One commit each on main's HEAD; delta's on alpha's.
    for (const id of ids.slice(0, 3)) {
      expect(ahead(origin, `fixloop/${id}`)).toHaveLength(1);
      expect(rev(origin, `fixloop/${id}^`)).toBe(head);
    }
    expect(rev(origin, `fixloop/${ids[3]}^`)).toBe(ended[0]?.result?.commit);
    expect(git(origin, 'show', `fixloop/${ids[3]}:src/alpha.js`)).toContain('alpha');
    // Each pushed order got one draft pull request, opened by the worker that delivered it.
    for (const t of ended) {
      const pulls = github.pulls.filter((p) => p.head === t.result?.branch);
      expect(pulls).toHaveLength(1);
      expect(pulls[0]?.draft).toBe(true);
      expect(t.result?.pr_url).toBe(pulls[0]?.html_url);
    }
    // Both workers took orders, each recorded in Redis.
    const list = JSON.parse((await runCli(['workers', '--json'], { cwd: root, env })).stdout);
    expect(list.workers).toHaveLength(2);
    const done = list.workers.map((w: { done: number }) => w.done);
    expect(done.reduce((a: number, b: number) => a + b, 0)).toBe(4);
    expect(new Set(ended.map((t) => t.worker_id?.split(':w')[0])).size).toBe(2);
    // The adding clone is untouched; `fixloop apply` brings an order over from origin.
    expect(git(root, 'status', '--porcelain')).toBe('');
    const applied = await runCli(['apply', ids[1] as string], { cwd: root, env });
    expect(applied.code).toBe(0);
    // The transcript travelled with the job: read here, where the order was not carried out.
    const log = JSON.parse(
      (await runCli(['logs', ids[1] as string, '--json'], { cwd: root, env })).stdout,
    );
    expect(log.source).toBe('shared queue');
    const kinds = log.entries.map((e: { kind: string }) => e.kind);
    for (const k of ['plan', 'turn', 'edit', 'test', 'attempt', 'delivery', 'end'])
      expect(kinds).toContain(k);
    expect(log.entries.find((e: { kind: string }) => e.kind === 'delivery')).toMatchObject({
      branch: `fixloop/${ids[1]}`,
      pushed: true,
      pr_url: expect.stringContaining('/pull/'),
    });
    expect(readFileSync(join(root, 'src/beta.js'), 'utf8')).toContain('beta');
    for (const w of workers) w.child.kill('SIGINT');
    for (const w of workers) {
      const e = await w.exited;
      if (e.code !== 0) console.log(w.output);
      expect(e.code).toBe(0);
    }
    const after = JSON.parse((await runCli(['workers', '--json'], { cwd: root, env })).stdout);
    expect(after.workers.map((w: { status: string }) => w.status)).toEqual(['stopped', 'stopped']);
    // The Redis password is a secret: nowhere in output, state, logs or git config.
    const seen = [
      ...workers.map((w) => w.output),
      JSON.stringify(await tasks(root, env)),
      ...[root, ...others].flatMap((dir) => [
        ...['state', 'logs']
          .filter((d) => existsSync(join(dir, d)))
          .flatMap((d) =>
            readdirSync(join(dir, d), { recursive: true, withFileTypes: true })
              .filter((f) => f.isFile())
              .map((f) => readFileSync(join(f.parentPath, f.name), 'utf8')),
          ),
        readFileSync(join(dir, '.git/config'), 'utf8'),
      ]),
      ...fake.messages.map((r) => JSON.stringify(r.body)),
    ].join('\n');
    expect(seen).not.toContain(PASSWORD);
    expect(seen).not.toContain(GH_TOKEN);
    expect(seen).toContain('Taking work orders from redis://127.0.0.1:');
  }, 180_000);

  it('an order whose worker is killed runs again on another; the dead worker shows as lost', async () => {
    const redis = await startRedis();
    const fake = await fakeAnthropic();
    fake.route = parallelModel(1500);
    const { root, origin, others } = clones(2);
    const shared = { QUEUE_URL: redis.url, QUEUE_LOCK_SECONDS: '1' };
    const env = workEnv(root, fake, shared);
    const first = await startWorker(
      others[0] as string,
      workEnv(others[0] as string, fake, shared),
    );
    const id = await add(root, env, ['make alpha']);
    await first.waitFor(/Plan: Make alpha/);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await startWorker(
      others[1] as string,
      workEnv(others[1] as string, fake, shared),
    );
    const [done] = await untilEnded(root, env, [id]);
    expect(done?.outcome).toBe('done');
    expect(done?.stalls).toBe(1);
    expect(done?.worker_id).toContain(`:${second.child.pid}:`);
    expect(ahead(origin, `fixloop/${id}`)).toHaveLength(1);
    expect(second.output).toMatch(/stopped answering; it runs again/);
    const until = Date.now() + 30_000;
    let statuses: Record<string, string> = {};
    while (Date.now() < until) {
      const list = JSON.parse((await runCli(['workers', '--json'], { cwd: root, env })).stdout);
      statuses = Object.fromEntries(
        list.workers.map((w: { pid: number; status: string }) => [w.pid, w.status]),
      );
      if (statuses[first.child.pid as number] === 'lost') break;
      await new Promise((r) => setTimeout(r, 600));
    }
    expect(statuses).toEqual({
      [first.child.pid as number]: 'lost',
      [second.child.pid as number]: 'idle',
    });
    // An order built on it, carried out in the clone that never saw its commit (from origin).
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
    const third = await startWorker(
      others[0] as string,
      workEnv(others[0] as string, fake, shared),
    );
    const next = await add(root, env, ['make beta', '--after', id]);
    const [built] = await untilEnded(root, env, [next]);
    expect(built?.worker_id).toContain(`:${third.child.pid}:`);
    expect(rev(origin, `fixloop/${next}^`)).toBe(done?.result?.commit);
  }, 120_000);

  it('survives Redis stopping and restarting mid-run, and add fails clearly while it is down', async () => {
    const redis = await startRedis(PASSWORD);
    const fake = await fakeAnthropic();
    fake.route = parallelModel(400);
    const { root, origin, others } = clones(1);
    const shared = { QUEUE_URL: redis.url, QUEUE_LOCK_SECONDS: '2' };
    const env = workEnv(root, fake, shared);
    const worker = await startWorker(
      others[0] as string,
      workEnv(others[0] as string, fake, shared),
    );
    const ids = [await add(root, env, ['make alpha']), await add(root, env, ['make beta'])];
    await worker.waitFor(/Plan: Make alpha/);
    await redis.stop();
    await worker.waitFor(/is unreachable \(connection lost\); retrying with backoff/);
    const refused = await runCli(['add', 'make gamma'], { cwd: root, env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      /Redis at redis:\/\/127\.0\.0\.1:\d+ cannot be reached \(ECONNREFUSED\); start it or fix QUEUE_URL/,
    );
    expect(refused.stderr).not.toContain(PASSWORD);
    await redis.start();
    await worker.waitFor(/is reachable again/);
    const ended = await untilEnded(root, env, ids);
    expect(ended.map((t) => t.outcome)).toEqual(['done', 'done']);
    for (const id of ids) expect(ahead(origin, `fixloop/${id}`)).toHaveLength(1);
    expect(worker.output).not.toContain(PASSWORD);
  }, 120_000);

  it('the daemon puts POST /tasks orders on the queue and records how they ended', async () => {
    const redis = await startRedis();
    const fake = await fakeAnthropic();
    fake.route = parallelModel(200);
    const { root, origin, others } = clones(1);
    const shared = { QUEUE_URL: redis.url, QUEUE_LOCK_SECONDS: '2' };
    const token = 'status-token-for-shared-0123456789';
    // The daemon has no model: the workers carry the orders out.
    const daemon = startDaemon(root, { ...shared, STATUS_PORT: '0', STATUS_TOKEN: token });
    const ready = await waitForState(root, (s) => !!s.processes.orchestrator?.status_url);
    const url = ready.processes.orchestrator?.status_url as string;
    const worker = await startWorker(
      others[0] as string,
      workEnv(others[0] as string, fake, shared),
    );
    const created = await fetch(`${url}tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ description: 'make alpha' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const done = await waitForState(
      root,
      (s) => s.queues.completed.some((t) => t.id === id),
      60_000,
    );
    const task = done.queues.completed.find((t) => t.id === id);
    expect(task?.outcome).toBe('done');
    expect(task?.worker_id).toContain(`:${worker.child.pid}:`);
    expect(rev(origin, `fixloop/${id}`)).toBe(task?.result?.commit);
    // The dashboard's sources read the shared workers.
    const answer = await fetch(`${url}workers`);
    const served = (await answer.json()) as {
      workers: Array<{ pid: number }>;
    };
    expect(answer.status).toBe(200);
    expect(served.workers.map((w) => w.pid)).toEqual([worker.child.pid]);
    expect(Object.keys(done.workers)).toEqual([]);
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 120_000);

  it('--split on the queue: the parts run as children of the order, which then holds them all', async () => {
    const redis = await startRedis();
    const fake = await fakeAnthropic();
    const { root, origin, head, others } = clones(1);
    const shared = { QUEUE_URL: redis.url, QUEUE_LOCK_SECONDS: '2' };
    const env = workEnv(root, fake, shared);
    fake.push(
      planReply({
        summary: 'Two helpers',
        parts: [
          { description: 'add a slug helper', files: ['src/slug.js'] },
          { description: 'add a pad helper', files: ['src/pad.js'], after: [0] },
        ],
      } as Parameters<typeof planReply>[0]),
      workPlan('Add a slug helper', ['src/slug.js']),
      ...writesFiles({ 'src/slug.js': SLUG_OK, 'test/slug.test.js': SLUG_TEST }),
      workPlan('Add a pad helper', ['src/pad.js']),
      ...writesFiles({ 'src/pad.js': PAD, 'test/pad.test.js': PAD_TEST }),
    );
    await startWorker(others[0] as string, workEnv(others[0] as string, fake, shared));
    const id = await add(root, env, ['add slug and pad helpers', '--split']);
    const [parent] = await untilEnded(root, env, [id]);
    expect(parent?.outcome).toBe('done');
    const children = (await tasks(root, env)).filter((t) => t.parent_id === id);
    expect(children.map((c) => `${c.description}: ${c.outcome}`).sort()).toEqual([
      'add a pad helper: done',
      'add a slug helper: done',
    ]);
    const branch = `fixloop/${id}`;
    expect(git(origin, 'show', `${branch}:src/slug.js`)).toBe(SLUG_OK);
    expect(git(origin, 'show', `${branch}:src/pad.js`)).toBe(PAD);
    expect(ahead(origin, branch)).toHaveLength(2);
    expect(git(origin, 'merge-base', branch, 'main').trim()).toBe(head);
  }, 120_000);

  it('a worker stopped mid-order hands it back to the queue; another finishes it', async () => {
    const redis = await startRedis();
    const hanging = await fakeAnthropic();
    hanging.route = () => ({ hang: true });
    const fake = await fakeAnthropic();
    fake.route = parallelModel(0);
    const { root, origin, others } = clones(2);
    const shared = { QUEUE_URL: redis.url, SHUTDOWN_TIMEOUT_SECONDS: '0.5' };
    const env = workEnv(root, fake, shared);
    const first = await startWorker(
      others[0] as string,
      workEnv(others[0] as string, hanging, shared),
    );
    const id = await add(root, env, ['make alpha']);
    await first.waitFor(/Work order .*: make alpha/);
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);
    expect(first.output).toMatch(/did not finish in time; back to the queue/);
    const waiting = (await tasks(root, env)).find((t) => t.id === id);
    expect(waiting?.status).toBe('pending');
    await startWorker(others[1] as string, workEnv(others[1] as string, fake, shared));
    const [done] = await untilEnded(root, env, [id]);
    expect(done?.outcome).toBe('done');
    expect(done?.stalls ?? 0).toBe(0);
    expect(ahead(origin, `fixloop/${id}`)).toHaveLength(1);
  }, 120_000);
});
