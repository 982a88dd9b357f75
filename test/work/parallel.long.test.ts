import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../automation/claude/models.js';
import { costOf } from '../../automation/claude/usage.js';
import type { State } from '../../automation/store/schema.js';
import { runCli } from '../support/cli.js';
import { readState, startDaemon, waitForState } from '../support/daemon.js';
import { fakeAnthropic } from '../support/fake-anthropic.js';
import { git } from '../support/git.js';
import { parallelModel, workEnv, workRepo, worktreeOf } from '../support/work-repo.js';

type Workers = Record<string, { status: string; task_id: string | null; done: number }>;
const workers = (s: State) => s.workers as unknown as Workers;
const busy = (s: State) => Object.values(workers(s)).filter((w) => w.status === 'busy').length;
const ended = (s: State, id: string) =>
  [...s.queues.completed, ...s.queues.failed].find((t) => t.id === id);

async function addOrders(root: string, env: Record<string, string>, names: string[]) {
  const ids: string[] = [];
  for (const name of names) {
    const run = await runCli(['add', `make ${name}`], { cwd: root, env });
    expect(run.code).toBe(0);
    ids.push(run.stdout.trim());
  }
  return ids;
}

describe('parallel workers', () => {
  it('runs MAX_WORKERS orders at once, checks a save meanwhile, lists every worker', async () => {
    const { root } = workRepo();
    const fake = await fakeAnthropic();
    fake.route = parallelModel(700);
    const env = workEnv(root, fake, { MAX_WORKERS: '3', STATUS_PORT: '0' });
    const ids = await addOrders(root, env, ['alpha', 'beta', 'gamma']);
    const daemon = startDaemon(root, env);
    await waitForState(root, (s) => busy(s) >= 2, 30_000);
    // A save while the orders run is taken by its own lane at once.
    writeFileSync(join(root, 'src/math.js'), 'export const add = (a, b) => a + b; // saved\n');
    const checked = await waitForState(root, (s) =>
      s.queues.completed.some((t) => t.file_path === 'src/math.js'),
    );
    expect(ids.some((id) => !ended(checked, id))).toBe(true);
    const done = await waitForState(root, (s) => ids.every((id) => ended(s, id)), 60_000);
    for (const id of ids) expect(ended(done, id)?.outcome).toBe('done');
    const list = JSON.parse((await runCli(['workers', '--json'], { cwd: root, env })).stdout);
    expect(list.workers).toHaveLength(3);
    expect(list.workers.reduce((n: number, w: { done: number }) => n + w.done, 0)).toBe(3);
    expect(list.workers.filter((w: { status: string }) => w.status === 'idle')).toHaveLength(3);
    const url = done.processes.orchestrator?.status_url as string;
    const served = (await (await fetch(`${url}workers`)).json()) as { workers: unknown[] };
    expect(served.workers).toHaveLength(3);
    expect(await (await fetch(`${url}metrics`)).text()).toMatch(
      /fixloop_workers\{status="idle"\} 3/,
    );
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    expect(Object.values(workers(readState(root))).map((w) => w.status)).toEqual([
      'stopped',
      'stopped',
      'stopped',
    ]);
  }, 120_000);

  it('stopping mid-orders puts every order back and leaves no worktree', async () => {
    const { root } = workRepo();
    const fake = await fakeAnthropic();
    fake.route = () => ({ hang: true });
    const env = workEnv(root, fake, { MAX_WORKERS: '3', SHUTDOWN_TIMEOUT_SECONDS: '0.5' });
    const ids = await addOrders(root, env, ['alpha', 'beta', 'gamma']);
    const daemon = startDaemon(root, env);
    // Each order is planning (its worktree made) when the daemon is stopped.
    const planning = (s: State) => s.queues.in_progress.filter((t) => t.step === 'planning').length;
    await waitForState(root, (s) => busy(s) === 3 && planning(s) === 3, 30_000);
    for (const id of ids) expect(existsSync(worktreeOf(root, env, id))).toBe(true);
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    const state = readState(root);
    expect(state.queues.pending.map((t) => t.id).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(existsSync(worktreeOf(root, env, id))).toBe(false);
    expect(git(root, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  }, 60_000);

  it('holds the hourly cost cap across parallel workers: no call starts past it', async () => {
    const { root } = workRepo();
    const fake = await fakeAnthropic();
    fake.route = parallelModel(500);
    fake.usage = { input_tokens: 10_000, output_tokens: 1333 };
    const perCall = costOf(DEFAULT_MODEL, fake.usage);
    const cap = perCall * 1.4;
    const env = workEnv(root, fake, { MAX_WORKERS: '3', MAX_COST_USD_PER_HOUR: cap.toFixed(4) });
    const ids = await addOrders(root, env, ['alpha', 'beta', 'gamma']);
    const daemon = startDaemon(root, env);
    const state = await waitForState(root, (s) => ids.every((id) => ended(s, id)), 60_000);
    // Three workers at once may not pass the cap by more than one call's cost.
    expect(fake.messages.length * perCall).toBeLessThanOrEqual(cap + perCall + 1e-9);
    for (const id of ids) {
      expect(ended(state, id)?.outcome).toBe('failed');
      expect(ended(state, id)?.error).toMatch(/hourly cost cap reached/);
    }
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 60_000);
});
