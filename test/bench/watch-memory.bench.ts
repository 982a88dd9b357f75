/**
 * Memory beside the developer's own watch mode: the process tree of `vitest --watch` and that of
 * `fixloop watch` (the daemon, the sandbox, the warm vitest child) on one generated project, after
 * the same saves, one after the other in one run. RSS counts the node binary and shared libraries
 * once per process; private memory (USS) is what the tree itself holds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import { fmt, machine, report, sleep } from './support.js';
import { project, save } from './ts-project.js';

const CLI = fileURLToPath(new URL('../../dist/bin/cli.js', import.meta.url));
const SAVES = 6;
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };

/** `pid` and its descendants. */
function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(p)]);
    } catch {
      /* gone */
    }
  }
  const all: number[] = [];
  const walk = (p: number) => {
    all.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return all;
}

/** RSS and private memory (Private_Clean + Private_Dirty) of a process tree, in MB. */
function memoryOf(pid: number): { rss: number; uss: number } {
  let rss = 0;
  let uss = 0;
  for (const p of tree(pid)) {
    try {
      const text = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
      rss += kb('Rss') / 1024;
      uss += (kb('Private_Clean') + kb('Private_Dirty')) / 1024;
    } catch {
      /* gone */
    }
  }
  return { rss, uss };
}

/** Runs `args` in `root`, makes SAVES saves each ended by a line matching `done`, measures. */
async function measure(root: string, command: string, args: string[], done: RegExp) {
  const child: ChildProcess = spawn(command, args, { cwd: root, env, detached: true });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const count = () => out.match(new RegExp(done.source, 'g'))?.length ?? 0;
  const until = async (ok: () => boolean) => {
    while (!ok()) await sleep(20);
  };
  await until(() => count() > 0 || /Running \(pid/.test(out));
  await sleep(2000); // start-up work (the first run, the warm runner) settles
  for (let i = 0; i < SAVES; i++) {
    const before = count();
    save(root, i);
    await until(() => count() > before);
    await sleep(500);
  }
  await sleep(1000);
  const memory = memoryOf(child.pid as number);
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    /* gone */
  }
  return memory;
}

it('memory: vitest --watch beside fixloop watch (daemon and warm runner)', async () => {
  const root = project();
  const vitest = join(root, 'node_modules/.bin/vitest');
  const watch = await measure(root, vitest, ['--watch'], /Waiting for file changes/);
  const ours = await measure(root, process.execPath, [CLI, 'watch'], /is clean/);
  report(
    `Memory beside \`vitest --watch\` (${machine()})`,
    ['process tree', 'RSS MB', 'private MB (USS)'],
    [
      ['`vitest --watch`', fmt(watch.rss, 0), fmt(watch.uss, 0)],
      ['`fixloop watch`: daemon, sandbox, warm vitest child', fmt(ours.rss, 0), fmt(ours.uss, 0)],
      ['ratio', `${fmt(ours.rss / watch.rss, 2)}×`, `${fmt(ours.uss / watch.uss, 2)}×`],
    ],
    [
      `${SAVES} saves each, then measured; one project, one after the other. ` +
        'Target: ≤ 1.3× (private memory: the node binary is shared between the two processes).',
    ],
  );
});
