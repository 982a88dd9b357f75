/**
 * `fixloop logs`: a work order's transcript (plan, turns, edits, test runs, verification,
 * delivery) written by the daemon, read whole or followed while the order runs.
 */
import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '../../automation/transcript/entry.js';
import { runCli, startCli } from '../support/cli.js';
import { Daemon, startDaemon, waitForState } from '../support/daemon.js';
import { doneReply, fakeAnthropic } from '../support/fake-anthropic.js';
import {
  SLUG_OK,
  SLUG_TEST,
  workEnv,
  workPlan,
  workRepo,
  writesFiles,
} from '../support/work-repo.js';

describe('fixloop logs', () => {
  it('follows an order under way until it ends, then shows its whole transcript', async () => {
    const { root } = workRepo();
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake, { NO_COLOR: '1' });
    const added = await runCli(['add', 'add a slug helper', '--json'], { cwd: root, env });
    const id = JSON.parse(added.stdout).task.id as string;

    // The edit is answered only once `logs --follow` has shown the plan: it streams, live.
    let follower: Daemon | undefined;
    const [edit] = writesFiles({ 'src/slug.js': SLUG_OK, 'test/slug.test.js': SLUG_TEST });
    fake.push(workPlan('Add a slug helper', ['src/slug.js', 'test/slug.test.js']), {
      delayMs: 0,
      before: async () => {
        follower = new Daemon(startCli(['logs', id, '--follow'], { cwd: root, env }));
        await follower.waitFor(/plan\s+Add a slug helper/, 60_000);
      },
      then: edit as Parameters<typeof fake.push>[0],
    });
    fake.push(doneReply());
    const daemon = startDaemon(root, env);
    await waitForState(root, (s) => s.queues.completed.some((t) => t.id === id), 90_000);
    const followed = await (follower as Daemon).exited;
    expect(followed.code).toBe(0);
    const out = (follower as Daemon).output;
    expect(out.split('\n')[0]).toBe(`${id} work, in_progress: add a slug helper`);
    const order = ['plan', 'turn 1.1', 'edit 1', 'test 1', 'attempt 1', 'verified', 'delivered'];
    const at = order.map((label) => out.search(new RegExp(`\\d\\d:\\d\\d:\\d\\d ${label}\\s`)));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/ end\s+done$/);
    daemon.child.kill('SIGINT');
    await daemon.exited;

    const whole = await runCli(['logs', id], { cwd: root, env });
    expect(whole.code).toBe(0);
    expect(whole.stdout).toContain(`${id} work, completed: add a slug helper`);
    expect(whole.stdout).toMatch(/turn 1\.1\s+create src\/slug\.js, create test\/slug\.test\.js/);
    expect(whole.stdout).toMatch(/edit 1\s+src\/slug\.js \+1 −0/);
    expect(whole.stdout).toMatch(/edit 1\s+test\/slug\.test\.js \+4 −0/);
    expect(whole.stdout).toMatch(/test 1\s+✓ 1 passed/);
    expect(whole.stdout).toMatch(new RegExp(`delivered\\s+fixloop/${id} \\(\\w{7}\\)`));

    const json = await runCli(['logs', id, '--json'], { cwd: root, env });
    const doc = JSON.parse(json.stdout) as { source: string; entries: TranscriptEntry[] };
    expect(doc.source).toBe('transcript');
    const kinds = new Set(doc.entries.map((e) => e.kind));
    for (const k of ['plan', 'turn', 'edit', 'test', 'attempt', 'verification', 'delivery', 'end'])
      expect(kinds).toContain(k);
    expect(doc.entries.find((e) => e.kind === 'test')).toMatchObject({ status: 'passed' });
    // Nothing of the files' contents or the key is in the transcript.
    expect(json.stdout).not.toContain('toLowerCase');
    expect(json.stdout).not.toContain('TESTKEY');

    const unknown = await runCli(['logs', 'task_00000000'], { cwd: root, env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No task with id task_00000000');
    const bad = await runCli(['logs', '../../etc/passwd'], { cwd: root, env });
    expect(bad.code).toBe(1);
  }, 120_000);

  it('tells a task without a transcript from its record', async () => {
    const { root } = workRepo();
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake, { NO_COLOR: '1' });
    const checked = await runCli(['check', 'src/math.js', '--json'], { cwd: root, env });
    const id = JSON.parse(checked.stdout).tasks[0].id as string;
    const pending = await runCli(['logs', id, '--json'], { cwd: root, env });
    expect(JSON.parse(pending.stdout)).toMatchObject({ source: 'task record', entries: [] });
    const human = await runCli(['logs', id], { cwd: root, env });
    expect(human.stdout).toContain('Nothing recorded yet.');
  });
});
