import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { doneReply, editReply, planReply } from '../support/fake-anthropic.js';
import { fixHarness } from '../support/fix-harness.js';
import { tempDir } from '../support/tmp.js';

/**
 * A tiny project whose "tests" pass when src/value.js says good (fast: no test framework start-up).
 */
function tinyProject(): string {
  const root = tempDir();
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src/value.js'), 'export const value = "bad";\n');
  return root;
}
const env = {
  TEST_COMMAND:
    `node -e "process.exit(require('fs').readFileSync('src/value.js','utf8')` +
    `.includes('good') ? 0 : 1)"`,
  MAX_RETRIES: '0',
  CIRCUIT_BREAKER_THRESHOLD: '3',
  CIRCUIT_BREAKER_WINDOW: '3',
};
const wrong = () => [
  planReply({ files: ['src/value.js'] }),
  editReply({ command: 'str_replace', path: 'src/value.js', old_str: '"bad"', new_str: '"worse"' }),
  doneReply(),
];
const right = () => [
  planReply({ files: ['src/value.js'] }),
  editReply({ command: 'str_replace', path: 'src/value.js', old_str: '"bad"', new_str: '"good"' }),
  doneReply(),
];

/** Resolves once `done()` holds (polled); the test's own timeout bounds it. */
async function until(done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise((r) => setTimeout(r, 50));
}

describe('per-file circuit breaker', () => {
  const opensAndHalfOpens =
    'opens after 3 failed tasks, rejects the 4th without a model call, ' +
    'survives a restart, and half-opens after the window';
  it(opensAndHalfOpens, async () => {
    const root = tinyProject();
    // The failures' window runs on this clock: however slow the three fixes are on a loaded
    // machine, they fall in one window; it moves on only when the test says.
    let offset = 0;
    const start = Date.now();
    const clock = { now: () => start + offset };
    const h = await fixHarness({ root, env, clock });
    const signal = new AbortController().signal;
    for (let i = 0; i < 3; i++) {
      h.fake.push(...wrong());
      const { task, verdict } = await h.failingTask('src/value.js');
      expect((await h.fix(task, verdict, signal)).kind).toBe('failed');
    }
    const state = await h.store.read();
    expect(state.breakers['src/value.js']).toMatchObject({
      state: 'open',
      failures: expect.any(Array),
      until: expect.any(String),
    });
    const calls = h.fake.messages.length;
    const { task, verdict } = await h.failingTask('src/value.js');
    const rejected = await h.fix(task, verdict, signal);
    expect(rejected).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/circuit breaker open for src\/value\.js/),
      patch: { breaker_open: true },
    });
    expect(h.fake.messages.length).toBe(calls);

    // A "restart": a new fix loop on the same state file.
    h.fixer.close();
    const restarted = h.build()!;
    await restarted.fixer.init(h.workspace);
    expect((await h.fix(task, verdict, signal, restarted.fixer)).kind).toBe('failed');
    expect(h.fake.messages.length).toBe(calls);

    // After the window (opossum's own timer, and the state's clock): one half-open trial runs;
    // its success closes the breaker.
    await new Promise((r) => setTimeout(r, 3200));
    offset += 3200;
    h.fake.push(...right());
    const trial = await h.fix(task, verdict, signal, restarted.fixer);
    expect(trial.kind).toBe('fixed');
    expect(readFileSync(join(root, 'src/value.js'), 'utf8')).toContain('"good"');
    expect((await h.store.read()).breakers['src/value.js']).toMatchObject({
      state: 'closed',
      failures: [],
    });
    restarted.fixer.close();
  }, 60_000);

  it('a failed half-open trial opens the breaker again', async () => {
    const root = tinyProject();
    const h = await fixHarness({
      root,
      env: { ...env, CIRCUIT_BREAKER_THRESHOLD: '1', CIRCUIT_BREAKER_WINDOW: '1' },
    });
    const signal = new AbortController().signal;
    h.fake.push(...wrong());
    const { task, verdict } = await h.failingTask('src/value.js');
    await h.fix(task, verdict, signal);
    expect((await h.store.read()).breakers['src/value.js']).toMatchObject({ state: 'open' });
    // Half-open once the window has passed: waited for in the state, however late it is written.
    await until(
      async () =>
        ((await h.store.read()).breakers['src/value.js'] as { state?: string })?.state ===
        'half_open',
    );
    h.fake.push(...wrong());
    expect((await h.fix(task, verdict, signal)).kind).toBe('failed');
    await new Promise((r) => setTimeout(r, 50));
    expect((await h.store.read()).breakers['src/value.js']).toMatchObject({ state: 'open' });
    const calls = h.fake.messages.length;
    expect(await h.fix(task, verdict, signal)).toMatchObject({
      error: expect.stringMatching(/circuit breaker open/),
    });
    expect(h.fake.messages.length).toBe(calls);
    h.fixer.close();
  }, 60_000);
});
