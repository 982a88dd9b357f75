import { describe, expect, it } from 'vitest';
import { readState, startDaemon, waitForState } from '../support/daemon.js';
import { workRepo } from '../support/work-repo.js';

const TOKEN = 'status-token-for-tests-0123456789';

async function daemonWith(env: Record<string, string>) {
  const { root } = workRepo();
  // No model: orders are queued (the test looks at the queue, not at their outcome).
  const daemon = startDaemon(root, { STATUS_PORT: '0', AUTO_FIX_ENABLED: 'false', ...env });
  const state = await waitForState(
    root,
    (s) => typeof s.processes.orchestrator?.status_url === 'string',
  );
  return { root, daemon, url: `${state.processes.orchestrator?.status_url}tasks` };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /tasks', () => {
  it('queues a work order only with the right token, from no other origin', async () => {
    const { root, daemon, url } = await daemonWith({ STATUS_TOKEN: TOKEN });
    const order = { description: 'add a slug helper', files: ['src/slug.js'], priority: 'high' };
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await post(url, order)).status).toBe(401);
    expect((await post(url, order, { authorization: 'Bearer wrong' })).status).toBe(401);
    const crossOrigin = await post(url, order, { ...auth, origin: 'https://evil.example' });
    expect(crossOrigin.status).toBe(403);
    expect((await post(url, '{not json', auth)).status).toBe(400);
    const bad = await post(url, { files: ['x'] }, auth);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/description/);
    expect((await post(url, { ...order, files: ['../../etc/passwd'] }, auth)).status).toBe(400);
    expect((await post(url, { ...order, after: ['task_00000000'] }, auth)).status).toBe(400);
    const created = await post(url, order, auth);
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: string };
    expect(task).toMatchObject({
      type: 'work',
      description: 'add a slug helper',
      files: ['src/slug.js'],
      priority: 'high',
      source: { kind: 'http' },
    });
    const state = readState(root);
    const all = [...state.queues.pending, ...state.queues.in_progress, ...state.queues.failed];
    expect(all.filter((t) => t.type === 'work').map((t) => t.id)).toEqual([task.id]);
    expect(JSON.stringify(state)).not.toContain(TOKEN);
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 60_000);

  it('answers 403 when no STATUS_TOKEN is configured', async () => {
    const { daemon, url } = await daemonWith({});
    const res = await post(url, { description: 'x' }, { authorization: 'Bearer anything' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/STATUS_TOKEN/);
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 60_000);

  it('with STATUS_TOKEN set, shows what orders were handed only to a request with it', async () => {
    const { daemon, url } = await daemonWith({ STATUS_TOKEN: TOKEN });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const order = { description: 'rotate the vault paths in deploy/vault.hcl' };
    const created = (await (await post(url, order, auth)).json()) as { id: string };
    const base = url.replace(/tasks$/, '');
    const open = (await (await fetch(`${base}tasks/${created.id}`)).json()) as Record<
      string,
      unknown
    >;
    expect(open.description).toBe(`work order ${created.id}`);
    const full = await fetch(`${base}tasks/${created.id}`, { headers: auth });
    expect(((await full.json()) as { description: string }).description).toBe(order.description);
    const queue = await (await fetch(`${base}queue`)).text();
    expect(queue).not.toContain('vault');
    // Its transcript is for the token's holder only.
    expect((await fetch(`${base}tasks/${created.id}/log`)).status).toBe(403);
    expect((await fetch(`${base}tasks/${created.id}/log`, { headers: auth })).status).toBe(200);
    // The dashboard's stream, as a page would open it (it cannot send the token).
    const events = await fetch(`${base}events`);
    const reader = events.body?.getReader();
    const first = new TextDecoder().decode((await reader?.read())?.value);
    await reader?.cancel();
    expect(first).toContain(created.id);
    expect(first).not.toContain('vault');
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 60_000);
});
