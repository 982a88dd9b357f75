import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateSchema } from '../../automation/store/schema.js';
import { runCli, startCli } from '../support/cli.js';
import { commitAll } from '../support/git.js';
import { tempDir } from '../support/tmp.js';

describe('fixloop CLI', () => {
  it('status on a never-started project prints a valid JSON document and exits 3', async () => {
    const cwd = tempDir();
    const run = await runCli(['status', '--json'], { cwd });
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('');
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({
      daemon: 'never_started',
      pid: null,
      queues: { pending: 0, failed: 0 },
      state_file: join(cwd, 'state/app_state.json'),
    });
    const human = await runCli(['status'], { cwd });
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(/not running/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts every colour code.
    expect(human.stdout).not.toMatch(/\u001b\[/); // NO_COLOR
  });

  const exitCodes =
    '--help and --version exit 0; unknown commands and bad options exit 2 with a message';
  it(exitCodes, async () => {
    const cwd = tempDir();
    const help = await runCli(['--help'], { cwd });
    expect(help.code).toBe(0);
    for (const cmd of ['status', 'tasks', 'add', 'check', 'apply', 'retry', 'respond', 'cancel'])
      expect(help.stdout).toContain(cmd);
    const version = await runCli(['--version'], { cwd });
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const unknown = await runCli(['frobnicate'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const badPriority = await runCli(['add', 'x', '--priority', 'urgent'], { cwd });
    expect(badPriority.code).toBe(2);
    expect(badPriority.stderr).toMatch(/critical, high, normal, low/);
    const badStatus = await runCli(['tasks', '--status', 'done'], { cwd });
    expect(badStatus.code).toBe(2);
    const missing = await runCli(['add'], { cwd });
    expect(missing.code).toBe(2);
  });

  it("starts from Node's compile cache, and runs all the same where it cannot be written", async () => {
    const cwd = tempDir();
    // Node's own folder for it (no NODE_COMPILE_CACHE, which would turn the cache on by itself)
    const tmp = tempDir();
    const first = await runCli(['--version'], { cwd, env: { TMPDIR: tmp } });
    expect(first.code).toBe(0);
    const cache = join(tmp, 'node-compile-cache');
    expect(readdirSync(cache)).not.toEqual([]); // the program, compiled for the next command
    const notAFolder = join(cwd, 'a-file');
    writeFileSync(notAFolder, '');
    const blocked = await runCli(['status', '--json'], {
      cwd,
      env: { NODE_COMPILE_CACHE: notAFolder },
    });
    expect(blocked).toMatchObject({ code: 3, stderr: '' });
    expect(JSON.parse(blocked.stdout).daemon).toBe('never_started');
  });

  it('on a Node older than 22.22 says which Node it needs and exits 2', async () => {
    // This Node, made to say it is 20 before the CLI starts (as Node 20 itself would be seen).
    const older =
      "Object.defineProperty(process,'versions',{value:{...process.versions,node:'20.20.2'}})";
    const run = await runCli(['status', '--json'], {
      cwd: tempDir(),
      env: { NODE_OPTIONS: `--import=data:text/javascript,${older}` },
    });
    expect(run).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'fixloop needs Node 22.22 or newer (24 recommended); this is Node 20.20.2\n',
    });
  });

  it('stops quietly when its reader stops early (`fixloop tasks --json | head`)', async () => {
    const cwd = tempDir();
    const paths = Array.from({ length: 2000 }, (_, i) => `src/f${i}.js`);
    expect((await runCli(['check', ...paths], { cwd })).code).toBe(0);
    const child = startCli(['tasks', '--json'], { cwd });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.stdout?.once('data', () => child.stdout?.destroy()); // the reader goes away
    const code = await new Promise((r) => child.on('close', r));
    expect({ code, stderr }).toEqual({ code: 141, stderr: '' }); // as SIGPIPE would end it
  });

  it('bad configuration exits 2 naming each variable', async () => {
    const cwd = tempDir();
    const run = await runCli(['tasks'], {
      cwd,
      env: { MAX_RETRIES: 'lots', TEST_TIMEOUT_SECONDS: '-3' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/MAX_RETRIES="lots": expected a whole number/);
    expect(run.stderr).toMatch(
      /TEST_TIMEOUT_SECONDS="-3": expected a number of seconds from 1 to 86400/,
    );
    expect(run.stdout).toBe('');
  });

  it('check from 4 processes × 5 → 20 tasks with unique ids', async () => {
    const cwd = tempDir();
    const worker = async (p: number) => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const run = await runCli(['check', `src/f${p}-${i}.ts`], { cwd });
        expect(run.code).toBe(0);
        ids.push(run.stdout.trim());
      }
      return ids;
    };
    const ids = (await Promise.all(Array.from({ length: 4 }, (_, p) => worker(p)))).flat();
    for (const id of ids) expect(id).toMatch(/^task_[0-9a-f]{8}$/);
    const list = await runCli(['tasks', '--json'], { cwd });
    expect(list.code).toBe(0);
    const doc = JSON.parse(list.stdout);
    expect(doc.count).toBe(20);
    expect(new Set(doc.tasks.map((t: { id: string }) => t.id))).toEqual(new Set(ids));
  }, 120_000);

  it('check queues manual tasks; add queues a work order; paths outside are refused', async () => {
    const cwd = tempDir();
    const run = await runCli(['check', 'src/parse.ts', '--priority', 'high', '--json'], { cwd });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).tasks).toMatchObject([
      { type: 'manual', file_path: 'src/parse.ts', priority: 'high', status: 'pending' },
    ]);
    expect(JSON.parse(run.stdout).daemon_running).toBe(false);
    const suite = await runCli(['check'], { cwd });
    // The id on stdout for scripts; for the person, that nothing runs it until the daemon does.
    expect(suite.stdout).toMatch(/^task_[0-9a-f]{8}\n$/);
    expect(suite.stderr).toBe('queued; it runs when `fixloop watch` is running (no daemon now)\n');
    commitAll(cwd);
    const order = await runCli(
      ['add', 'tidy the parser', '--file', 'src/parse.ts', '--priority', 'high', '--json'],
      { cwd },
    );
    expect(order.code).toBe(0);
    expect(JSON.parse(order.stdout).daemon_running).toBe(false);
    expect(JSON.parse(order.stdout).task).toMatchObject({
      type: 'work',
      file_path: null,
      files: ['src/parse.ts'],
      priority: 'high',
      description: 'tidy the parser',
      source: { kind: 'cli' },
      status: 'pending',
    });
    for (const args of [
      ['check', '../elsewhere.ts'],
      ['add', 'x', '--file', '../elsewhere.ts'],
    ]) {
      const outside = await runCli(args, { cwd });
      expect(outside.code).toBe(2);
      expect(outside.stderr).toMatch(/outside PROJECT_ROOT/);
    }
    const empty = await runCli(['add', '   '], { cwd });
    expect(empty.code).toBe(2);
  });

  it('retry, respond and cancel follow the task life and the contract exit codes', async () => {
    const cwd = tempDir();
    const id = (await runCli(['check', 'src/a.ts'], { cwd })).stdout.trim();
    // Unknown ids → 1
    for (const args of [
      ['retry', 'task_deadbeef'],
      ['cancel', 'task_deadbeef'],
      ['respond', 'task_deadbeef', 'yes'],
    ]) {
      const run = await runCli(args, { cwd });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/No task with id task_deadbeef/);
    }
    // Wrong state → 1 with the reason
    const notFailed = await runCli(['retry', id], { cwd });
    expect(notFailed.code).toBe(1);
    expect(notFailed.stderr).toMatch(/is pending, so it cannot be retried/);
    const notWaiting = await runCli(['respond', id, 'yes'], { cwd });
    expect(notWaiting.code).toBe(1);

    // Put one task in failed and one in needs_input, as the daemon would.
    const file = join(cwd, 'state/app_state.json');
    const id2 = (await runCli(['check', 'src/b.ts'], { cwd })).stdout.trim();
    const doc = stateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    const [a, b] = doc.queues.pending;
    doc.queues.failed.push({
      ...a!,
      status: 'failed',
      outcome: 'failed',
      error: 'tests failed',
      retry_count: 2,
    });
    doc.queues.needs_input.push({
      ...b!,
      status: 'needs_input',
      question: 'Which behaviour is right?',
    });
    doc.queues.pending = [];
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify(doc));

    const retried = await runCli(['retry', id, '--json'], { cwd });
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout).task).toMatchObject({
      id,
      status: 'pending',
      retry_count: 2,
    });
    expect(JSON.parse(retried.stdout).task.outcome).toBeUndefined();

    const answered = await runCli(['respond', id2, 'the old one'], { cwd });
    expect(answered).toMatchObject({ code: 0, stdout: `${id2} is now pending\n` });

    const cancelled = await runCli(['cancel', id2], { cwd });
    expect(cancelled.code).toBe(0);
    const after = JSON.parse(
      (await runCli(['tasks', '--json', '--status', 'completed'], { cwd })).stdout,
    );
    expect(after.tasks).toEqual([
      expect.objectContaining({ id: id2, outcome: 'cancelled', answer: 'the old one' }),
    ]);
    const again = await runCli(['cancel', id2], { cwd });
    expect(again.code).toBe(1);
    const history = stateSchema
      .parse(JSON.parse(readFileSync(file, 'utf8')))
      .conversation_history.map((e) => e.type);
    expect(history).toEqual(
      expect.arrayContaining(['task_retried', 'task_answered', 'task_cancelled']),
    );
  });

  it('status says stale (exit 4) when the heartbeat is old or the process is gone', async () => {
    const cwd = tempDir();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    mkdirSync(join(cwd, 'state'));
    // A 30 s heartbeat: however slow the CLI starts under load, "fresh" stays fresh and the
    // stale heartbeat's age stays in the hundreds of seconds.
    const write = (pid: number, heartbeatAgoS: number) => {
      const at = new Date(Date.now() - heartbeatAgoS * 1000).toISOString();
      writeFileSync(
        join(cwd, 'state/app_state.json'),
        JSON.stringify({
          version: 1,
          processes: {
            orchestrator: {
              status: 'running',
              pid,
              host: hostname(),
              project_root: cwd,
              started_at: at,
              last_heartbeat: at,
              heartbeat_interval_seconds: 30,
            },
          },
        }),
      );
    };
    write(process.pid, 0.2);
    expect((await runCli(['status'], { cwd })).code).toBe(0);
    write(process.pid, 600);
    const stale = await runCli(['status', '--json'], { cwd });
    expect(stale.code).toBe(4);
    expect(JSON.parse(stale.stdout)).toMatchObject({
      daemon: 'stale',
      stale_reason: expect.stringMatching(/last heartbeat 6\d\d(\.\d)? s ago, expected every 30 s/),
      process_alive: true,
    });
    // A live process whose heartbeat stopped is not said to have crashed: it cannot write.
    const stuck = await runCli(['status'], { cwd });
    expect(stuck.stdout).toMatch(/alive but cannot update the state/);
    expect(stuck.stdout).not.toMatch(/crashed/);
    write(2 ** 22 + 4321, 0.2);
    const gone = await runCli(['status'], { cwd });
    expect(gone.code).toBe(4);
    expect(gone.stdout).toMatch(/stale.*no longer running[\s\S]*probably crashed/);
  });

  it('answers bad configuration with one JSON document when --json is asked (exit 2)', async () => {
    const cwd = tempDir();
    for (const command of [
      ['status', '--json'],
      ['tasks', '--json'],
    ]) {
      const run = await runCli(command, { cwd, env: { MAX_RETRIES: 'lots' } });
      expect(run.code).toBe(2);
      expect(JSON.parse(run.stdout)).toMatchObject({
        code: 'CONFIG_INVALID',
        exit_code: 2,
        error: expect.stringMatching(/MAX_RETRIES="lots": expected a whole number/),
      });
      expect(run.stderr).toMatch(/Invalid configuration/);
    }
  });
});
