/**
 * Parallel workers: three work orders against a model that answers each request after a fixed
 * delay, carried out with MAX_WORKERS=1 and MAX_WORKERS=3 in one run; the daemon's peak RSS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { type State, stateSchema } from '../../automation/store/schema.js';
import { runCli, startCli } from '../support/cli.js';
import { fakeAnthropic } from '../support/fake-anthropic.js';
import { parallelModel, workEnv, workRepo } from '../support/work-repo.js';
import { fmt, machine, mb, report, sleep } from './support.js';

const MODEL_DELAY_MS = 1500;

async function orders(maxWorkers: number): Promise<{ wallMs: number; peakRss: number }> {
  const { root } = workRepo();
  const fake = await fakeAnthropic();
  fake.route = parallelModel(MODEL_DELAY_MS);
  const env = workEnv(root, fake, {
    MAX_WORKERS: String(maxWorkers),
    FIX_QUIET_SECONDS: '0',
    HEARTBEAT_INTERVAL_SECONDS: '30',
  });
  const ids: string[] = [];
  for (const name of ['alpha', 'beta', 'gamma'])
    ids.push((await runCli(['add', `make ${name}`], { cwd: root, env })).stdout.trim());
  const read = (): State | undefined => {
    try {
      return stateSchema.parse(
        JSON.parse(readFileSync(join(root, 'state/app_state.json'), 'utf8')),
      );
    } catch {
      return undefined;
    }
  };
  const daemon = startCli(['watch'], { cwd: root, env });
  const t0 = performance.now();
  let peakRss = 0;
  for (;;) {
    const s = read();
    const done = s ? ids.every((id) => s.queues.completed.some((t) => t.id === id)) : false;
    try {
      const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${daemon.pid}/status`, 'utf8'))?.[1];
      peakRss = Math.max(peakRss, Number(hwm) * 1024);
    } catch {
      /* not started yet */
    }
    if (done) break;
    if (s?.queues.failed.some((t) => ids.includes(t.id))) throw new Error('an order failed');
    await sleep(20);
  }
  const wallMs = performance.now() - t0;
  daemon.kill('SIGINT');
  await new Promise((r) => daemon.once('exit', r));
  await fake.close();
  return { wallMs, peakRss };
}

it('three work orders: MAX_WORKERS=1 beside MAX_WORKERS=3', async () => {
  const one = await orders(1);
  const three = await orders(3);
  report(
    `Parallel work orders, 3 orders, model answers after ${MODEL_DELAY_MS} ms (${machine()})`,
    ['workers', 'wall time s', 'ratio', 'daemon peak RSS'],
    [
      ['MAX_WORKERS=1', fmt(one.wallMs / 1000, 2), '1.00', mb(one.peakRss)],
      [
        'MAX_WORKERS=3',
        fmt(three.wallMs / 1000, 2),
        `${fmt(three.wallMs / one.wallMs, 2)}×`,
        mb(three.peakRss),
      ],
    ],
    ['Each order: a plan, one edit reply, one closing reply, node --test. Target: ≤ 0.45×.'],
  );
});
