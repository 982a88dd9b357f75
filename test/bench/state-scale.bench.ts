/**
 * The state store at scale: save → verdict, state writes and parses per save, and idle CPU with 0
 * and with 5,000 pending orders (side by side in one run); `fixloop check` of 5,000 paths onto
 * 2,000 pending; read-only commands with 5,000 pending beside bare node.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import { emptyState } from '../../automation/store/schema.js';
import { StateStore } from '../../automation/store/store.js';
import { tempDir } from '../support/tmp.js';
import { benchDaemon } from './daemon-harness.js';
import { fmt, machine, median, percentile, report, sleep } from './support.js';

const CLI = fileURLToPath(new URL('../../dist/bin/cli.js', import.meta.url));
const SAVES = 15;
const IDLE_MS = 10_000;
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };

/** A node:test project whose state holds `pending` orders waiting on a parent that waits. */
function project(pending: number, type: 'work' | 'manual' = 'work'): string {
  const root = tempDir('fixloop-bench-scale-');
  const write = (rel: string, text: string) => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  write('package.json', JSON.stringify({ name: 's', type: 'module', scripts: { test: 'x' } }));
  write('src/mod.js', 'export const add = (a, b) => a + b;\n');
  write(
    'test/mod.test.js',
    "import test from 'node:test';\nimport assert from 'node:assert';\n" +
      "import { add } from '../src/mod.js';\ntest('adds', () => assert.equal(add(1, 2), 3));\n",
  );
  const state = emptyState();
  const at = new Date().toISOString();
  const task = (i: number, extra: object) => ({
    id: `task_${i.toString(16).padStart(8, '0')}`,
    type,
    file_path: type === 'manual' ? `src/pending${i}.js` : null,
    description: `Make the parser accept trailing commas, part ${i}`,
    priority: 'normal',
    created_at: at,
    updated_at: at,
    status: 'pending',
    retry_count: 0,
    attempts: [],
    ...extra,
  });
  const parent = task(0xfffffff, { status: 'needs_input', question: 'Which syntax?' });
  state.queues.needs_input.push(parent as never);
  for (let i = 0; i < pending; i++)
    state.queues.pending.push(task(i, { after: [parent.id], files: ['src/parse.ts'] }) as never);
  write('state/app_state.json', `${JSON.stringify(state, null, 2)}\n`);
  return root;
}

/** The state as a daemon leaves it: written (and sealed) by fixloop's store. */
async function rewritten(root: string): Promise<string> {
  const file = join(root, 'state/app_state.json');
  await new StateStore({ file, lockFile: `${file}.lock` }).update(() => {});
  return root;
}

/** A daemon on a project with `pending` orders waiting; its idle CPU measured alone. */
async function daemonOn(pending: number) {
  const cwd = await rewritten(project(pending));
  const d = await benchDaemon(cwd, {
    TEST_COMMAND: 'node --test',
    // The heartbeat's own write (every 30 s by default) would be counted as a save's.
    HEARTBEAT_INTERVAL_SECONDS: '600',
  });
  await sleep(1000);
  const cpu0 = process.cpuUsage();
  const idle0 = d.store.counts.writes;
  const t0 = performance.now();
  await sleep(IDLE_MS);
  const cpu = process.cpuUsage(cpu0);
  const idleCpu = ((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100;
  const idleWrites = d.store.counts.writes - idle0;
  return { cwd, d, idleCpu, idleWrites, latency: [] as number[], writes: [] as number[] };
}

type Side = Awaited<ReturnType<typeof daemonOn>> & { parses?: number[] };

/** One save on `side`'s project: its time to the verdict, and the writes and parses it cost. */
async function save(side: Side, i: number): Promise<void> {
  const { d, cwd } = side;
  const before = { ...d.store.counts };
  const start = performance.now();
  writeFileSync(join(cwd, 'src/mod.js'), `export const add = (a, b) => a + b; // ${i}\n`);
  side.latency.push((await d.waitLine(/is clean/, start)) - start);
  for (;;) {
    const s = await d.store.read();
    if (s.queues.in_progress.length === 0 && s.queues.completed.length > i) break;
    await sleep(5);
  }
  side.writes.push(d.store.counts.writes - before.writes);
  side.parses = [...(side.parses ?? []), d.store.counts.parses - before.parses];
  await sleep(300);
}

it('state store at scale: saves, idle, check and read-only commands', async () => {
  const none: Side = await daemonOn(0);
  const many: Side = await daemonOn(5000);
  // Saves alternate between the two daemons: both see the same machine at the same moments.
  for (let i = 0; i < SAVES; i++) {
    await save(none, i);
    await save(many, i);
  }
  await none.d.stop();
  await many.d.stop();
  const p50 = (v: number[]) => median(v);
  const row = (label: string, f: typeof none) => [
    label,
    fmt(p50(f.latency), 0),
    fmt(percentile(f.latency, 90), 0),
    `${fmt(p50(f.latency) / p50(none.latency), 2)}×`,
    `${fmt(median(f.writes), 0)} (${fmt(Math.max(...f.writes), 0)})`,
    fmt(Math.max(...(f.parses ?? [])), 0),
    fmt(f.idleCpu, 2),
    String(f.idleWrites),
  ];
  report(
    `State store at scale: a save with 0 and 5,000 pending (${machine()})`,
    [
      'pending',
      'save → verdict p50 ms',
      'p90 ms',
      'ratio',
      'state writes per save, median (max)',
      'state parses per save (max)',
      'idle CPU %',
      `writes in ${IDLE_MS / 1000} s idle`,
    ],
    [row('0', none), row('5,000 orders waiting', many)],
    [
      `${SAVES} saves each, alternating between the two daemons; node:test project, ` +
        'in-process daemons with defaults, idle CPU measured with one daemon at a time. ' +
        'Targets: ratio ≤ 1.2×, ≤ 2 writes per save, idle CPU ≤ 2 %.',
    ],
  );

  const time = (cwd: string, args: string[]) => {
    const start = performance.now();
    // `status` exits 3 with no daemon running: the time is what counts here.
    const run = spawnSync(process.execPath, [CLI, ...args], {
      cwd,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (run.status !== 0 && run.status !== 3) throw new Error(`${args[0]}: ${run.stderr}`);
    return performance.now() - start;
  };
  const paths = Array.from({ length: 5000 }, (_, i) => `src/f${i}.js`);
  const checkOnto = async (pending: number) =>
    time(await rewritten(project(pending, 'manual')), ['check', ...paths]);
  const checks = [await checkOnto(0), await checkOnto(2000)];
  const empty = await rewritten(project(0));
  const full = await rewritten(project(5000));
  const bareRun = () => {
    const start = performance.now();
    execFileSync(process.execPath, ['-e', '0'], { env });
    return performance.now() - start;
  };
  // Bare node and the command alternate, 9 times each: a machine whose speed drifts moves both.
  const sideBySide = (command: () => number) => {
    const [bare, ms] = [[] as number[], [] as number[]];
    for (let i = 0; i < 9; i++) {
      bare.push(bareRun());
      ms.push(command());
    }
    return { bare: median(bare), ms: median(ms) };
  };
  const rows: string[][] = [];
  for (const name of ['status', 'tasks'])
    for (const [label, cwd] of [
      ['empty state', empty],
      ['5,000 pending', full],
    ] as const) {
      const { bare, ms } = sideBySide(() => time(cwd, [name, '--json']));
      rows.push([
        `\`fixloop ${name} --json\`, ${label}`,
        fmt(ms, 0),
        fmt(bare, 0),
        fmt(ms / bare, 2),
      ]);
    }
  report(
    `Commands on a large state (${machine()})`,
    ['command', 'ms', '`node -e 0` beside it, ms', 'ratio'],
    [
      ['`fixloop check` of 5,000 paths, 0 pending', fmt(checks[0] ?? NaN, 0), '–', '–'],
      ['`fixloop check` of 5,000 paths, 2,000 pending', fmt(checks[1] ?? NaN, 0), '–', '–'],
      ...rows,
    ],
    [
      'Read-only commands: medians of 9 runs, each after a `node -e 0` run (their ratio), ' +
        'in a bare environment (PATH and HOME). ' +
        'Targets: check ≤ 2,500 ms; status and tasks ≤ 2.5× bare node empty, ≤ 3× with 5,000.',
    ],
  );
});
