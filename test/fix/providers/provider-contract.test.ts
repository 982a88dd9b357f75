import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../automation/clock.js';
import { drivenTimers, until } from '../../support/driven-timers.js';
import { doneReply, planReply, type Step, toolUse } from '../../support/fake-anthropic.js';
import { fixHarness } from '../../support/fix-harness.js';
import { tempDir } from '../../support/tmp.js';

const CLAUDE = fileURLToPath(new URL('../../../node_modules/.bin/claude', import.meta.url));
const CHECK =
  `node -e "process.exit(require('fs').readFileSync('src/value.js','utf8')` +
  `.includes('good') ? 0 : 1)"`;

type Provider = 'api' | 'claude-code';
const say = (...blocks: ReturnType<typeof toolUse>[]): Step => ({
  reply: { content: blocks, stop_reason: 'tool_use' },
});

/** The same intent, spoken in each provider's tools: read a file, then replace text in it. */
function edit(
  provider: Provider,
  root: string,
  path: string,
  oldStr: string,
  newStr: string,
): Step[] {
  if (provider === 'api')
    return [
      say(
        toolUse('str_replace_based_edit_tool', {
          command: 'str_replace',
          path,
          old_str: oldStr,
          new_str: newStr,
        }),
      ),
      doneReply(),
    ];
  const abs = path.startsWith('/') ? path : join(root, path);
  return [
    say(toolUse('Read', { file_path: abs })),
    say(toolUse('Edit', { file_path: abs, old_string: oldStr, new_string: newStr })),
    doneReply(),
  ];
}

/** Writing a whole file. */
function write(provider: Provider, root: string, path: string, content: string): Step[] {
  if (provider === 'api')
    return [
      say(toolUse('str_replace_based_edit_tool', { command: 'create', path, file_text: content })),
      doneReply(),
    ];
  const abs = path.startsWith('/') ? path : join(root, path);
  return [say(toolUse('Write', { file_path: abs, content })), doneReply()];
}

function project() {
  const root = tempDir();
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'test'));
  writeFileSync(join(root, 'src/value.js'), 'export const value = "bad";\n');
  writeFileSync(join(root, 'test/value.test.js'), '// the test\n');
  writeFileSync(join(root, '.env'), 'SECRET=1\n');
  return root;
}

/**
 * The attempt timeout of the user-save test, a real one: the save can catch the attempt waiting
 * for the developer to pause, its deadline paused, so no moment is known when firing it would
 * count (Claude Code starts a CLI and a hook process per tool call, slow on a loaded machine).
 */
const HANG_TIMEOUT_S = { api: 4, 'claude-code': 30 } as const;

async function harness(provider: Provider, env: Record<string, string> = {}, clock?: Clock) {
  const root = project();
  const home = tempDir('fixloop-home-');
  const h = await fixHarness({
    root,
    env: {
      HEADLESS_PROVIDER: provider,
      CLAUDE_CLI_PATH: CLAUDE,
      HOME: home,
      TEST_COMMAND: CHECK,
      MAX_RETRIES: '0',
      ...env,
    },
    ...(clock ? { clock } : {}),
  });
  return h;
}

const snapshotOf = (root: string) =>
  Object.fromEntries(
    ['src/value.js', 'test/value.test.js', '.env'].map((f) => [
      f,
      readFileSync(join(root, f), 'utf8'),
    ]),
  );

for (const provider of ['api', 'claude-code'] as const) {
  describe(`fixer contract: provider ${provider}`, () => {
    it('a scripted edit fixes the file and the tests pass', async () => {
      const h = await harness(provider);
      h.fake.push(
        planReply({ files: ['src/value.js'] }),
        ...edit(provider, h.root, 'src/value.js', '"bad"', '"good"'),
      );
      const { task, verdict } = await h.failingTask('src/value.js');
      const result = await h.fix(task, verdict);
      expect(result.kind).toBe('fixed');
      expect(readFileSync(join(h.root, 'src/value.js'), 'utf8')).toBe(
        'export const value = "good";\n',
      );
      expect(readdirSync(join(h.root, 'state/rollback')).length).toBe(0);
      if (provider === 'claude-code') {
        // The CLI offered the model exactly the allowed tools, and ran without MCP servers.
        // (Claude Code 2.1.3xx adds a `DeferredToolPlaceholder` definition, no tool of its own:
        // a call of any tool but these five is refused by fixloop's gate.)
        const tools = (h.fake.messages[1]?.body.tools as Array<{ name: string }>)
          .map((t) => t.name)
          .filter((name) => name !== 'DeferredToolPlaceholder')
          .sort();
        expect(tools).toEqual(['Edit', 'Glob', 'Grep', 'Read', 'Write']);
        expect(h.fake.messages[1]?.headers['user-agent']).toMatch(/claude-cli/);
      }
    }, 60_000);

    const deniedEdits =
      'edits outside the root, to .env and to a test file are denied and nothing changes';
    it(deniedEdits, async () => {
      const h = await harness(provider);
      const outside = join(tempDir('fixloop-outside-'), 'x.js');
      const before = snapshotOf(h.root);
      h.fake.push(
        planReply({ files: ['src/value.js'] }),
        ...write(provider, h.root, outside, 'pwned').slice(0, 1),
        ...edit(provider, h.root, '.env', 'SECRET=1', 'SECRET=2').slice(0, -1),
        ...edit(provider, h.root, 'test/value.test.js', 'the test', 'pwned'),
      );
      const { task, verdict } = await h.failingTask('src/value.js');
      const result = await h.fix(task, verdict);
      expect(result.kind).toBe('failed');
      expect(snapshotOf(h.root)).toEqual(before);
      expect(() => readFileSync(outside)).toThrow();
      const refusals = JSON.stringify(
        (result.patch?.attempts as Array<{ refusals?: unknown[] }>)[0]?.refusals ?? [],
      );
      expect(refusals).toMatch(/outside the project root/);
      // With claude-code, the deny rules fixloop passes to Claude Code stop the .env read before
      // any hook runs; it is recorded all the same.
      expect(refusals).toMatch(
        provider === 'api'
          ? /\.env is an environment or credentials file/
          : /\.env","reason":"refused by Claude Code’s deny rules/,
      );
      expect(refusals).toMatch(/test file/);
    }, 60_000);

    it('a response that never ends: our timeout ends the attempt and rolls it back', async () => {
      // The attempt's deadline fires once the model's request hangs: its edit is made by then.
      const deadline = drivenTimers();
      const h = await harness(provider, { FIX_ATTEMPT_TIMEOUT_SECONDS: '7' }, deadline.clock);
      const before = snapshotOf(h.root);
      h.fake.push(
        planReply({ files: ['src/value.js'] }),
        ...edit(provider, h.root, 'src/value.js', '"bad"', '"half-done"').slice(0, -1),
        { hang: true },
      );
      const { task, verdict } = await h.failingTask('src/value.js');
      const fixing = h.fix(task, verdict);
      await until(() => h.fake.remaining === 0 && deadline.armed === 1);
      expect(deadline.asked[0]).toBe(7000); // FIX_ATTEMPT_TIMEOUT_SECONDS, as the deadline's ms
      expect(readFileSync(join(h.root, 'src/value.js'), 'utf8')).toContain('half-done');
      deadline.fire();
      const result = await fixing;
      expect(result.kind).toBe('failed');
      expect(
        (result.patch?.attempts as Array<{ outcome: string; edited_files: string[] }>)[0],
      ).toMatchObject({ outcome: 'timeout', edited_files: ['src/value.js'] });
      expect(snapshotOf(h.root)).toEqual(before);
    }, 90_000);

    const userSaveSurvives =
      'a user save while the attempt is under way survives its rollback ' +
      '(here: a timeout), and the fix stops there';
    it(userSaveSurvives, async () => {
      const h = await harness(provider, {
        FIX_ATTEMPT_TIMEOUT_SECONDS: String(HANG_TIMEOUT_S[provider]),
        MAX_RETRIES: '2',
      });
      const mine = 'export const value = "mine";\n';
      h.fake.push(
        planReply({ files: ['src/value.js'] }),
        ...edit(provider, h.root, 'src/value.js', '"bad"', '"half-done"').slice(0, -1),
        { hang: true },
      );
      const { task, verdict } = await h.failingTask('src/value.js');
      let ended = false;
      const saving = (async () => {
        const edited = () =>
          readFileSync(join(h.root, 'src/value.js'), 'utf8').includes('half-done');
        while (!ended && !edited()) await new Promise((r) => setTimeout(r, 50));
        // the user saves over the fixer's edit (an attempt that ended first fails the test below)
        if (!ended) writeFileSync(join(h.root, 'src/value.js'), mine);
      })();
      const result = await h.fix(task, verdict).finally(() => {
        ended = true;
      });
      await saving;
      const attempts = result.patch?.attempts as Array<{ outcome: string; error: string }>;
      // the user's version is checked again, as after any user edit
      expect(result.kind).toBe('requeue');
      expect(attempts).toHaveLength(1); // no retry over the user's work
      expect(attempts[0]).toMatchObject({
        outcome: 'user_edit',
        error: expect.stringMatching(
          /src\/value\.js (was changed by the user|does not hold the content)/,
        ),
      });
      expect(readFileSync(join(h.root, 'src/value.js'), 'utf8')).toBe(mine);
    }, 90_000);

    it('a failed attempt is rolled back byte for byte', async () => {
      const h = await harness(provider);
      const before = snapshotOf(h.root);
      h.fake.push(
        planReply({ files: ['src/value.js'] }),
        ...edit(provider, h.root, 'src/value.js', '"bad"', '"worse"'),
      );
      const { task, verdict } = await h.failingTask('src/value.js');
      const result = await h.fix(task, verdict);
      expect(result).toMatchObject({
        kind: 'failed',
        error: expect.stringMatching(/no fix passed/),
      });
      expect((result.patch?.attempts as Array<{ outcome: string }>)[0]?.outcome).toBe(
        'rolled_back',
      );
      expect(snapshotOf(h.root)).toEqual(before);
    }, 60_000);
  });
}
