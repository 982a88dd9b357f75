/**
 * A state of thousands of tasks through the commands: `check` of 5,000 paths queues each once
 * onto 2,000 pending, and `status` and `tasks` read it all; a file fixloop wrote is read without
 * validating it again, one edited by hand is validated.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { StateStore } from '../../automation/store/store.js';
import { enqueue } from '../../automation/tasks/queue.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

it('check of 5,000 paths onto 2,000 pending; status and tasks of all of them', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'package.json'), '{"name":"scale","private":true}');
  const file = join(cwd, 'state', 'app_state.json');
  const now = new Date().toISOString();
  await new StateStore({ file, lockFile: `${file}.lock` }).update((state) => {
    for (let i = 0; i < 2000; i++)
      enqueue(state, { type: 'manual', file_path: `src/old${i}.ts`, description: 'old' }, now);
  });
  // 2,000 of the paths are already pending: refreshed, not queued twice (5,000 pending after).
  const paths = [
    ...Array.from({ length: 2500 }, (_, i) => `src/old${i}.ts`),
    ...Array.from({ length: 2500 }, (_, i) => `src/new${i}.ts`),
  ];
  const check = await runCli(['check', ...paths, '--json'], { cwd, timeoutMs: 60_000 });
  expect(check.stderr).toBe('');
  expect(check.code).toBe(0);
  expect((JSON.parse(check.stdout) as { tasks: unknown[] }).tasks).toHaveLength(5000);

  const status = await runCli(['status', '--json'], { cwd, timeoutMs: 60_000 });
  expect(status.code).toBe(3); // no daemon running
  expect((JSON.parse(status.stdout) as { queues: { pending: number } }).queues.pending).toBe(5000);
  const tasks = await runCli(['tasks', '--json'], { cwd, timeoutMs: 60_000 });
  const listed = JSON.parse(tasks.stdout) as { count: number; tasks: Array<{ id: string }> };
  expect(listed.count).toBe(5000);
  expect(new Set(listed.tasks.map((t) => t.id)).size).toBe(5000);

  // A hand edit breaks the digest: the bad task is found and the file moved aside, as always.
  writeFileSync(file, readFileSync(file, 'utf8').replace('"priority": "normal"', '"priority": 7'));
  const after = await runCli(['tasks', '--json'], { cwd, timeoutMs: 60_000 });
  expect(after.stderr).toMatch(/moved to .*corrupt/);
  expect((JSON.parse(after.stdout) as { count: number }).count).toBe(0);
});
