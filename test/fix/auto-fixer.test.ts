import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HeadlessProvider } from '../../automation/fix/providers/provider.js';
import { contentHash } from '../../automation/fs/hash.js';
import { doneReply, editReply, planReply } from '../support/fake-anthropic.js';
import { fixHarness, TEST_KEY } from '../support/fix-harness.js';
import { edit } from '../support/project.js';
import { tempDir } from '../support/tmp.js';

const BROKEN = 'return a - b;';
const RIGHT = 'return a + b;';

describe('AutoFixer through the fake Anthropic API (real SDK, real vitest)', () => {
  const wrongThenRight =
    'a wrong edit first and the right one second: ' +
    'fixed on attempt 2, file exactly as the right fix';
  it(wrongThenRight, async () => {
    const h = await fixHarness();
    edit(h.root, 'src/math.js', RIGHT, BROKEN);
    const before = readFileSync(join(h.root, 'src/math.js'), 'utf8');
    h.fake.push(
      planReply(),
      editReply({
        command: 'str_replace',
        path: 'src/math.js',
        old_str: BROKEN,
        new_str: 'return a * b;',
      }),
      doneReply(),
      editReply({ command: 'str_replace', path: 'src/math.js', old_str: BROKEN, new_str: RIGHT }),
      doneReply(),
    );
    const { task, verdict } = await h.failingTask('src/math.js');
    expect(verdict.passed).toBe(false);
    const result = await h.fix(task, verdict);

    expect(result.kind).toBe('fixed');
    expect(readFileSync(join(h.root, 'src/math.js'), 'utf8')).toBe(before.replace(BROKEN, RIGHT));
    const attempts = result.patch?.attempts as Array<{
      number: number;
      outcome: string;
      edited_files: string[];
      test_summary: string;
    }>;
    expect(attempts.map((a) => [a.number, a.outcome])).toEqual([
      [1, 'rolled_back'],
      [2, 'passed'],
    ]);
    expect(attempts[0]?.edited_files).toEqual(['src/math.js']);
    expect(attempts[0]?.test_summary).toMatch(/failed/);
    const state = await h.store.read();
    // attempt 1, attempt 2, final verification
    expect(state.test_results.map((t) => t.passed)).toEqual([false, true, true]);
    expect(state.usage).toMatchObject({ run: { calls: 5 } });
    expect(h.fake.remaining).toBe(0);

    // The planner: forced tool call, cached stable prefix, not streamed; the fixer: text editor
    // tool, streamed.
    const [plannerReq, fixerReq] = h.fake.messages;
    expect(plannerReq?.body).toMatchObject({
      tool_choice: { type: 'tool', name: 'submit_plan' },
      system: [{ cache_control: { type: 'ephemeral' } }],
    });
    expect(plannerReq?.body.stream).toBeUndefined();
    expect(JSON.stringify(plannerReq?.body.messages)).toContain('math adds two numbers');
    expect(fixerReq?.body).toMatchObject({
      stream: true,
      tools: [{ type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' }],
    });
    // The key travels only in the auth header (this SDK sends it as a bearer token).
    expect([plannerReq?.headers['x-api-key'], plannerReq?.headers.authorization]).toContain(
      plannerReq?.headers['x-api-key'] ? TEST_KEY : `Bearer ${TEST_KEY}`,
    );
    // The second attempt is told why the first was rolled back.
    expect(JSON.stringify(h.fake.messages[3]?.body.messages)).toMatch(
      /Earlier attempts were rolled back/,
    );
    for (const r of h.fake.requests) expect(r.raw).not.toContain(TEST_KEY);
  }, 60_000);

  const alwaysWrong =
    'always wrong: failed after MAX_RETRIES + 1 attempts, files byte-identical, backoff honoured';
  it(alwaysWrong, async () => {
    const h = await fixHarness({
      env: { MAX_RETRIES: '2', RETRY_MIN_DELAY_MS: '300', RETRY_MAX_DELAY_MS: '600' },
    });
    edit(h.root, 'src/math.js', RIGHT, BROKEN);
    const before = readFileSync(join(h.root, 'src/math.js'));
    const wrong = () => [
      editReply({
        command: 'str_replace',
        path: 'src/math.js',
        old_str: BROKEN,
        new_str: 'return a * b;',
      }),
      doneReply(),
    ];
    h.fake.push(planReply(), ...wrong(), ...wrong(), ...wrong());
    const { task, verdict } = await h.failingTask('src/math.js');
    const result = await h.fix(task, verdict);
    expect(result).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/no fix passed the tests after 3 attempt/),
    });
    expect((result.patch?.attempts as unknown[]).length).toBe(3);
    expect(readFileSync(join(h.root, 'src/math.js'))).toEqual(before);
    // The first request of each attempt comes at least RETRY_MIN_DELAY_MS after the previous
    // attempt ended.
    const starts = [1, 3, 5].map((i) => h.fake.messages[i]!.at);
    const ends = [2, 4].map((i) => h.fake.messages[i]!.at);
    expect(starts[1]! - ends[0]!).toBeGreaterThanOrEqual(300);
    expect(starts[2]! - ends[1]!).toBeGreaterThanOrEqual(300);
  }, 60_000);

  const userEditWins =
    'a user edit while the model is thinking wins, ' +
    'byte for byte, and the task goes back to pending';
  it(userEditWins, async () => {
    const h = await fixHarness();
    edit(h.root, 'src/math.js', RIGHT, BROKEN);
    const userVersion =
      'export function add(a, b) {\n' +
      '  // the developer is rewriting this right now\n  return b + a;\n}\n';
    h.fake.push(
      planReply(),
      {
        reply: {
          content: [
            {
              type: 'tool_use',
              id: 'toolu_view1',
              name: 'str_replace_based_edit_tool',
              input: { command: 'view', path: 'src/math.js' },
            },
          ],
          stop_reason: 'tool_use',
        },
      },
      // The model "thinks" for a while; the developer saves meanwhile.
      {
        delayMs: 300,
        before: () => writeFileSync(join(h.root, 'src/math.js'), userVersion),
        then: editReply({
          command: 'str_replace',
          path: 'src/math.js',
          old_str: BROKEN,
          new_str: RIGHT,
        }),
      },
    );
    const { task, verdict } = await h.failingTask('src/math.js');
    const result = await h.fix(task, verdict);
    expect(result).toMatchObject({
      kind: 'requeue',
      reason: expect.stringMatching(/changed by the user/),
    });
    expect(readFileSync(join(h.root, 'src/math.js'), 'utf8')).toBe(userVersion);
    expect((result.patch?.attempts as Array<{ outcome: string }>)[0]?.outcome).toBe('user_edit');
  }, 60_000);

  it('a user edit during the test run is not rolled over', async () => {
    const h = await fixHarness({ root: undefined, env: { MAX_RETRIES: '0' } });
    edit(h.root, 'src/math.js', RIGHT, BROKEN);
    h.fake.push(
      planReply(),
      editReply({
        command: 'str_replace',
        path: 'src/math.js',
        old_str: BROKEN,
        new_str: 'return a * b;',
      }),
      doneReply(),
    );
    const { task, verdict } = await h.failingTask('src/math.js');
    // Wrap the checker: the developer saves while the attempt's tests run.
    const realCheck = h.checker.check.bind(h.checker);
    let calls = 0;
    h.checker.check = async (target, signal) => {
      const v = await realCheck(target, signal);
      if (++calls === 1)
        writeFileSync(join(h.root, 'src/math.js'), 'export const add = (a, b) => a + b; // mine\n');
      return v;
    };
    const result = await h.fix(task, verdict);
    expect(result.kind).toBe('requeue');
    expect(readFileSync(join(h.root, 'src/math.js'), 'utf8')).toBe(
      'export const add = (a, b) => a + b; // mine\n',
    );
  }, 60_000);

  const lowConfidence =
    'low confidence with a question → needs_input; ' +
    'with an answer the question is not asked again and the answer is sent';
  it(lowConfidence, async () => {
    const h = await fixHarness();
    edit(h.root, 'src/math.js', RIGHT, BROKEN);
    h.fake.push(planReply({ confidence: 0.2, question: 'Should add() subtract now?' }));
    const { task, verdict } = await h.failingTask('src/math.js');
    const first = await h.fix(task, verdict);
    expect(first).toMatchObject({ kind: 'needs_input', question: 'Should add() subtract now?' });
    h.fake.push(
      planReply({ confidence: 0.2, question: 'Still unsure?' }),
      editReply({ command: 'str_replace', path: 'src/math.js', old_str: BROKEN, new_str: RIGHT }),
      doneReply(),
    );
    const second = await h.fix(
      { ...task, answer: 'No: add must add; the change was a mistake.' },
      verdict,
    );
    expect(second.kind).toBe('fixed');
    const req = JSON.stringify(h.fake.messages[1]?.body.messages);
    expect(req).toContain('The developer answered your earlier question: No: add must add');
    // The conversation is kept: the second request carries the first exchange and answers its
    // tool_use.
    expect(h.fake.messages[1]?.body.messages).toHaveLength(3);
    expect(req).toContain('tool_result');
  }, 60_000);

  const costCap =
    'past MAX_COST_USD_PER_HOUR auto-fix pauses: ' +
    'the task fails with that reason and no model call is made';
  it(costCap, async () => {
    const h = await fixHarness({ env: { MAX_COST_USD_PER_HOUR: '0.01', MAX_RETRIES: '0' } });
    // $0.045 per call at Sonnet prices
    h.fake.usage = { input_tokens: 10_000, output_tokens: 1000 };
    edit(h.root, 'src/math.js', RIGHT, BROKEN);
    h.fake.push(
      planReply(),
      editReply({
        command: 'str_replace',
        path: 'src/math.js',
        old_str: BROKEN,
        new_str: 'return a * b;',
      }),
      doneReply(),
    );
    const { task, verdict } = await h.failingTask('src/math.js');
    const first = await h.fix(task, verdict);
    expect(first.kind).toBe('failed');
    const calls = h.fake.messages.length;
    const second = await h.fix(task, verdict);
    expect(second).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/hourly cost cap reached/),
      patch: { cost_capped: true },
    });
    expect(h.fake.messages.length).toBe(calls);
    const usage = (await h.store.read()).usage as {
      last_hour_cost_usd: number;
      run: { cost_usd: number };
    };
    expect(usage.last_hour_cost_usd).toBeGreaterThan(0.01);
  }, 60_000);

  const unconfirmedWrite =
    'a write the provider made but never confirmed is rolled back too, and no journal is left';
  it(unconfirmedWrite, async () => {
    // A provider that writes behind the guard's back (as if Claude Code's PostToolUse never came).
    const sneaky: HeadlessProvider = {
      name: 'sneaky',
      async apply(_input, guard) {
        const r = guard.access('write', 'Write', 'src/math.js');
        if (!r.ok) throw new Error(r.reason);
        await guard.beforeWrite(r.abs, r.rel, 'half-written');
        writeFileSync(r.abs, 'half-written');
        return { turns: 1, stopReason: 'end_turn', finalText: '' };
      },
    };
    const h = await fixHarness({ provider: sneaky, env: { MAX_RETRIES: '0' } });
    edit(h.root, 'src/math.js', RIGHT, BROKEN);
    const before = readFileSync(join(h.root, 'src/math.js'), 'utf8');
    h.fake.push(planReply());
    const { task, verdict } = await h.failingTask('src/math.js');
    const result = await h.fix(task, verdict);
    expect(result.kind).toBe('failed');
    expect((result.patch?.attempts as Array<{ outcome: string }>)[0]?.outcome).toBe('no_edit');
    expect(readFileSync(join(h.root, 'src/math.js'), 'utf8')).toBe(before);
    expect(readdirSync(join(h.root, 'state/rollback'))).toEqual([]);
  }, 60_000);

  it('never accepts a fix verified by no test (the file replaced by a folder)', async () => {
    // The right fix is written, then the file becomes a folder: no test can be found for it any
    // more (node's runner matches tests by name, and no test imports a folder).
    const vanishing: HeadlessProvider = {
      name: 'vanishing',
      async apply(_input, guard) {
        const r = guard.access('write', 'Edit', 'src/math.js');
        if (!r.ok) throw new Error(r.reason);
        const text = readFileSync(r.abs, 'utf8');
        await guard.write(r.abs, r.rel, text.replace(BROKEN, RIGHT), contentHash(text));
        rmSync(r.abs);
        mkdirSync(r.abs);
        return { turns: 1, stopReason: 'end_turn', finalText: '' };
      },
    };
    const root = tempDir();
    mkdirSync(join(root, 'src'));
    mkdirSync(join(root, 'test'));
    writeFileSync(join(root, 'package.json'), '{"type":"module","scripts":{"test":"node --test"}}');
    writeFileSync(join(root, 'src/math.js'), `export function add(a, b) {\n  ${BROKEN}\n}\n`);
    writeFileSync(
      join(root, 'test/arith.test.js'),
      "import { test } from 'node:test';\nimport assert from 'node:assert';\n" +
        "import { add } from '../src/math.js';\ntest('adds', () => assert.equal(add(2, 3), 5));\n",
    );
    const h = await fixHarness({ root, provider: vanishing, env: { MAX_RETRIES: '0' } });
    h.fake.push(planReply());
    const { task, verdict } = await h.failingTask('src/math.js');
    expect(verdict.status).toBe('failed');
    const result = await h.fix(task, verdict);
    expect(result.kind).not.toBe('fixed');
    const attempts = result.patch?.attempts as Array<{ outcome: string; error: string | null }>;
    expect(attempts[0]?.error).toMatch(/the verification ran no test/);
  }, 60_000);
});
