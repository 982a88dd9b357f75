import { execFileSync } from 'node:child_process';
import { it } from 'vitest';
import { CLI } from '../support/cli.js';
import { makeProject } from '../support/project.js';
import { fmt, machine, median, report } from './support.js';

/** Wall time of one command, in ms. */
function time(args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  try {
    execFileSync(process.execPath, args, { cwd, stdio: 'ignore', env });
  } catch {
    /* status exits 3 when no daemon runs: its start-up is what is measured */
  }
  return performance.now() - t0;
}

it('read-only commands start within 2.5 × bare node', () => {
  const cwd = makeProject('vitest-project');
  execFileSync(process.execPath, [CLI, 'check', 'src/a.ts'], { cwd });
  // This machine's own environment (what `node` costs here), and a bare one: Node start-up
  // itself varies with it (NODE_EXTRA_CA_CERTS alone adds ~50 ms), fixloop's share does not.
  const envs = {
    'this environment': process.env,
    'a bare environment': { PATH: process.env.PATH },
  };
  const rows: Array<Array<string | number>> = [];
  for (const [label, env] of Object.entries(envs)) {
    const runs = { bare: [] as number[], status: [] as number[], tasks: [] as number[] };
    for (let i = 0; i < 3; i++) time(['-e', '0'], cwd, env); // warm the file cache
    for (let i = 0; i < 15; i++) {
      runs.bare.push(time(['-e', '0'], cwd, env));
      runs.status.push(time([CLI, 'status', '--json'], cwd, env));
      runs.tasks.push(time([CLI, 'tasks', '--json'], cwd, env));
    }
    const bare = median(runs.bare);
    const ratio = (v: number[]) => fmt(median(v) / bare, 2);
    rows.push(
      [`\`node -e 0\`, ${label}`, fmt(bare, 0), '1.00'],
      [`\`fixloop status --json\`, ${label}`, fmt(median(runs.status), 0), ratio(runs.status)],
      [`\`fixloop tasks --json\`, ${label}`, fmt(median(runs.tasks), 0), ratio(runs.tasks)],
    );
  }
  report(
    `Start-up of read-only commands (${machine()})`,
    ['command', 'median ms', 'ratio to bare node'],
    rows,
    ['15 runs each, interleaved. Target: `status --json` ≤ 2.5 × bare node.'],
  );
});
