import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { readState, startDaemon, waitForState } from '../support/daemon.js';
import { doneReply, editReply, fakeAnthropic, planReply } from '../support/fake-anthropic.js';
import { fakeChannels } from '../support/fake-http.js';
import { TEST_KEY } from '../support/fix-harness.js';
import { edit, makeProject } from '../support/project.js';

const BROKEN = 'return a - b;';
const RIGHT = 'return a + b;';

describe('fixloop watch with the fix loop (real CLI, real SDK, fake API)', () => {
  const fixesOnItsOwn =
    'fixes a broken save on its own, never reacts to its own write, and never leaks the key';
  it(fixesOnItsOwn, async () => {
    const fake = await fakeAnthropic();
    const cwd = makeProject('vitest-project');
    const original = readFileSync(join(cwd, 'src/math.js'), 'utf8');
    fake.push(
      planReply(),
      editReply({ command: 'str_replace', path: 'src/math.js', old_str: BROKEN, new_str: RIGHT }),
      doneReply(),
    );
    const daemon = startDaemon(cwd, {
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      HEALTH_CHECK_INTERVAL_SECONDS: '0.5',
    });
    await daemon.waitFor(/Running/);
    expect(daemon.output).toMatch(/Auto-fix: enabled/);

    edit(cwd, 'src/math.js', RIGHT, BROKEN);
    const fixed = await waitForState(cwd, (s) =>
      s.queues.completed.some((t) => t.outcome === 'fixed'),
    );
    const task = fixed.queues.completed.find((t) => t.outcome === 'fixed')!;
    expect(task).toMatchObject({
      file_path: 'src/math.js',
      attempts: [
        expect.objectContaining({ number: 1, outcome: 'passed', edited_files: ['src/math.js'] }),
      ],
    });
    expect(readFileSync(join(cwd, 'src/math.js'), 'utf8')).toBe(original);
    expect(daemon.output).toMatch(/Step 1: Getting fix strategy from Interactive Claude/);
    expect(daemon.output).toMatch(/Step 3: Verifying fix/);
    expect(daemon.output).toMatch(/Fix succeeded on attempt 1/);

    await new Promise((r) => setTimeout(r, 1500)); // our own write must not come back as a task
    const later = readState(cwd);
    // One save can reach the watcher as two events (a slow second one is a new task, before the
    // fix);
    // what must never happen is a task created by the fixer's own write, i.e. after the fix.
    const fixedAt = task.updated_at;
    expect(
      later.conversation_history.filter((e) => e.type === 'task_created' && e.timestamp > fixedAt),
    ).toEqual([]);
    expect(later.queues.pending).toEqual([]);
    expect(later.processes.orchestrator?.last_health_check).toMatchObject({
      checks: { claude: { ok: true } },
    });

    const status = JSON.parse((await runCli(['status', '--json'], { cwd })).stdout);
    expect(status.usage.run.calls).toBe(3);

    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    expect(daemon.output).toMatch(/Tasks succeeded: 1/);
    expect(readFileSync(join(cwd, 'state/app_state.json'), 'utf8')).not.toContain(TEST_KEY);
    expect(readFileSync(join(cwd, 'logs/automation.log'), 'utf8')).not.toContain(TEST_KEY);
    expect(daemon.output).not.toContain(TEST_KEY);
    for (const r of fake.requests) expect(r.raw).not.toContain(TEST_KEY);
    // The fix's transcript: the failing run, the plan, the attempt's edit and run, the end.
    const transcript = readFileSync(join(cwd, `logs/tasks/${task.id}.jsonl`), 'utf8');
    expect(transcript).not.toContain(TEST_KEY);
    const log = await runCli(['logs', task.id], { cwd, env: { NO_COLOR: '1' } });
    expect(log.code).toBe(0);
    const lines = log.stdout.split('\n').map((l) => l.slice(9).replace(/\s+/g, ' ').slice(0, 16));
    expect(lines.filter((l) => /^(test|plan|edit|attempt|end)/.test(l))).toEqual([
      'test ✗ 1 failed,',
      'plan Restore the',
      'edit 1 src/math.',
      'test 1 ✓ 2 passe',
      'attempt 1 passed',
      'test ✓ 2 passed ',
      'end fixed',
    ]);
  }, 90_000);

  const needsInputRespond =
    'needs_input → fixloop respond → the answer reaches the next planner request';
  it(needsInputRespond, async () => {
    const fake = await fakeAnthropic();
    const cwd = makeProject('vitest-project');
    fake.push(planReply({ confidence: 0.2, question: 'Is subtraction intended here?' }));
    const daemon = startDaemon(cwd, { ANTHROPIC_API_KEY: TEST_KEY, ANTHROPIC_BASE_URL: fake.url });
    await daemon.waitFor(/Running/);
    edit(cwd, 'src/math.js', RIGHT, BROKEN);
    const waiting = await waitForState(cwd, (s) => s.queues.needs_input.length === 1);
    const task = waiting.queues.needs_input[0]!;
    expect(task.question).toBe('Is subtraction intended here?');
    // printed right after the state write
    await daemon.waitFor(/needs your input: Is subtraction intended here\?/, 5000);

    fake.push(
      planReply(),
      editReply({ command: 'str_replace', path: 'src/math.js', old_str: BROKEN, new_str: RIGHT }),
      doneReply(),
    );
    const answered = await runCli(['respond', task.id, 'No, add must add. Revert it.'], { cwd });
    expect(answered.code).toBe(0);
    await waitForState(cwd, (s) =>
      s.queues.completed.some((t) => t.id === task.id && t.outcome === 'fixed'),
    );
    expect(JSON.stringify(fake.messages[1]?.body.messages)).toContain(
      'The developer answered your earlier question: No, add must add. Revert it.',
    );
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
  }, 90_000);

  const escalatesFromDaemon =
    'escalates a fix that fails, from the running daemon, and counts it in the session statistics';
  it(escalatesFromDaemon, async () => {
    const fake = await fakeAnthropic();
    const ch = await fakeChannels();
    const cwd = makeProject('vitest-project');
    fake.push(
      planReply(),
      editReply({
        command: 'str_replace',
        path: 'src/math.js',
        old_str: BROKEN,
        new_str: 'return a * b;',
      }),
      doneReply(),
    );
    const daemon = startDaemon(cwd, {
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      MAX_RETRIES: '0',
      SLACK_WEBHOOK_URL: `${ch.slack.url}/s`,
      EMAIL_WEBHOOK_URL: `${ch.email.url}/m`,
    });
    await daemon.waitFor(/Running/);
    edit(cwd, 'src/math.js', RIGHT, BROKEN);
    await daemon.waitFor(/\[Escalator\] fixloop could not fix src\/math\.js: slack ✓, email ✓/);
    expect(ch.slack.requests).toHaveLength(1);
    expect(ch.email.requests[0]?.body).toMatchObject({
      kind: 'task_failed',
      file: 'src/math.js',
      attempts: 1,
    });
    const failed = readState(cwd).queues.failed[0]!;
    expect(failed.escalation_ids).toHaveLength(1);
    // rolled back to the user's version
    expect(readFileSync(join(cwd, 'src/math.js'), 'utf8')).toContain(BROKEN);
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    expect(daemon.output).toMatch(/Tasks escalated: 1/);
  }, 90_000);
});
