import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateSchema } from '../../automation/store/schema.js';
import { doneReply, editReply, planReply, type Step } from '../support/fake-anthropic.js';
import { fixHarness } from '../support/fix-harness.js';
import { edit } from '../support/project.js';

const BROKEN = 'return a - b;';
const RIGHT = 'return a + b;';
const fast = { 'retry-after-ms': '20' };

describe('API faults', () => {
  it('a 429 with retry-after is waited out by the SDK and the fix goes on', async () => {
    const h = await fixHarness();
    edit(h.root, 'src/math.js', RIGHT, BROKEN);
    h.fake.push(
      { status: 429, headers: { 'retry-after': '1' } },
      planReply(),
      editReply({ command: 'str_replace', path: 'src/math.js', old_str: BROKEN, new_str: RIGHT }),
      doneReply(),
    );
    const { task, verdict } = await h.failingTask('src/math.js');
    const result = await h.fix(task, verdict);
    expect(result.kind).toBe('fixed');
    const [first, second] = h.fake.messages;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(result.patch?.plan_fallback).toBeUndefined();
  }, 60_000);

  const faults: Array<[string, () => Step]> = [
    ['529 overloaded', () => ({ status: 529, headers: fast })],
    ['500', () => ({ status: 500, headers: fast })],
    ['a dropped connection', () => ({ drop: true })],
    ['a malformed body', () => ({ malformed: true })],
  ];
  for (const [name, fault] of faults) {
    const title =
      `${name} on every call: planner falls back, ` +
      'the task fails with a clear reason, nothing is changed or corrupted';
    it(title, async () => {
      const h = await fixHarness();
      edit(h.root, 'src/math.js', RIGHT, BROKEN);
      const before = readFileSync(join(h.root, 'src/math.js'));
      h.fake.push(...Array.from({ length: 8 }, fault));
      const { task, verdict } = await h.failingTask('src/math.js');
      const result = await h.fix(task, verdict);
      expect(result).toMatchObject({
        kind: 'failed',
        error: expect.stringMatching(/^Claude API unavailable: /),
      });
      expect(result.patch?.plan_fallback).toEqual(expect.any(String));
      expect((result.patch?.plan as { fallback: boolean }).fallback).toBe(true);
      expect(readFileSync(join(h.root, 'src/math.js'))).toEqual(before);
      expect(
        stateSchema.safeParse(JSON.parse(readFileSync(h.config.stateFile, 'utf8'))).success,
      ).toBe(true);
      // Bounded: the SDK's retries (1 + 2) per call, planner and one fixer call, never more.
      expect(h.fake.messages.length).toBeLessThanOrEqual(6);
    }, 60_000);
  }

  it('a 401 is not retried and stops the fix at once', async () => {
    const h = await fixHarness();
    edit(h.root, 'src/math.js', RIGHT, BROKEN);
    h.fake.push(...Array.from({ length: 4 }, () => ({ status: 401 })));
    const { task, verdict } = await h.failingTask('src/math.js');
    const result = await h.fix(task, verdict);
    expect(result).toMatchObject({ kind: 'failed', error: expect.stringMatching(/HTTP 401/) });
    expect(h.fake.messages.length).toBe(2); // one planner call, one fixer call
  }, 60_000);

  it('the daemon stopping mid-request rolls back and requeues', async () => {
    const h = await fixHarness();
    edit(h.root, 'src/math.js', RIGHT, BROKEN);
    const before = readFileSync(join(h.root, 'src/math.js'));
    const controller = new AbortController();
    h.fake.push(
      planReply(),
      {
        reply: {
          content: [
            {
              type: 'tool_use',
              id: 'toolu_x1',
              name: 'str_replace_based_edit_tool',
              input: {
                command: 'str_replace',
                path: 'src/math.js',
                old_str: BROKEN,
                new_str: 'return 0;',
              },
            },
          ],
          stop_reason: 'tool_use',
        },
      },
      { delayMs: 100, before: () => controller.abort(), then: { hang: true } },
    );
    const { task, verdict } = await h.failingTask('src/math.js');
    const result = await h.fix(task, verdict, controller.signal);
    expect(result).toMatchObject({ kind: 'requeue' });
    expect(readFileSync(join(h.root, 'src/math.js'))).toEqual(before);
  }, 60_000);
});
