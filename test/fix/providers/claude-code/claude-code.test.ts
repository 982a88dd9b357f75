import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAUDE, directAttempt } from '../../../support/claude-code.js';
import { doneReply, planReply, type Step, toolUse } from '../../../support/fake-anthropic.js';
import { fixHarness } from '../../../support/fix-harness.js';
import { tempDir } from '../../../support/tmp.js';

const say = (...blocks: ReturnType<typeof toolUse>[]): Step => ({
  reply: { content: blocks, stop_reason: 'tool_use' },
});
const KEY = 'sk-ant-api03-hardcoded-0123456789';

async function harness(files: Record<string, string>) {
  const root = tempDir();
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  const h = await fixHarness({
    root,
    env: {
      HEADLESS_PROVIDER: 'claude-code',
      CLAUDE_CLI_PATH: CLAUDE,
      HOME: tempDir('fixloop-home-'),
      TEST_COMMAND: 'false',
      MAX_RETRIES: '0',
    },
  });
  const run = async (...steps: Step[]) => {
    h.fake.push(planReply({ files: ['src/value.js'] }), ...steps, doneReply());
    const { task, verdict } = await h.failingTask('src/value.js');
    const result = await h.fix(task, verdict);
    return (
      result.patch?.attempts as Array<{
        outcome: string;
        edited_files: string[];
        refusals?: Array<{ reason: string }>;
      }>
    )[0]!;
  };
  return { ...h, run, at: (rel: string) => join(root, rel) };
}

describe('provider claude-code: what only this provider needs', () => {
  const noSecretShown =
    'no tool shows the model a secret: .env files, ' +
    'credentials in code, content greps over folders, globs outside';
  it(noSecretShown, async () => {
    const h = await harness({
      'src/value.js': 'export const value = "bad";\n',
      'src/key.js': `const k = "${KEY}";\n`,
      '.env': 'SECRET=one\n',
      'sub/.env.local': 'SECRET=two\n',
      'cfg/.ENV': 'SECRET=three\n',
      'cfg/.npmrc': '//registry/:_authToken=abc\n',
    });
    const attempt = await h.run(
      say(toolUse('Grep', { pattern: 'SECRET', output_mode: 'content' })),
      say(toolUse('Grep', { pattern: 'SECRET|sk-ant|value' })),
      say(toolUse('Glob', { pattern: '**/.env*' })),
      say(toolUse('Glob', { pattern: '../**' })),
      say(toolUse('Read', { file_path: h.at('src/key.js') })),
      say(toolUse('Read', { file_path: h.at('sub/.env.local') })),
    );
    // Everything the CLI sent to the model, and what its tools answered.
    const sent = JSON.stringify(h.fake.messages.map((m) => m.body));
    const results = JSON.stringify(
      h.fake.messages
        .at(-1)
        ?.body.messages.flatMap((m: { content: unknown }) =>
          Array.isArray(m.content) ? m.content : [],
        )
        .filter((b: { type: string }) => b.type === 'tool_result'),
    );
    // The CLI ran with fixloop's rules and its five tools only (beside the placeholder Claude
    // Code sends for tools it defers, which it has none of here).
    const asked = h.fake.messages.slice(1).map((m) => m.body);
    expect(JSON.stringify(asked.map((b) => b.system))).toContain(
      "You are fixloop's headless fixer",
    );
    const tools = new Set<string>(
      asked.flatMap((b) => (b.tools ?? []).map((t: { name: string }) => t.name)),
    );
    tools.delete('DeferredToolPlaceholder');
    expect([...tools].sort()).toEqual(['Edit', 'Glob', 'Grep', 'Read', 'Write']);
    expect(sent).not.toContain('SECRET=');
    expect(sent).not.toContain('sk-ant-api03-hardcoded');
    expect(results).not.toMatch(/\.env|npmrc/i); // not even listed
    expect(results).toMatch(/src\/value\.js/); // listing works…
    // …but not for a file holding a credential (no guessing it out by pattern)
    expect(results).not.toMatch(/key\.js/);
    expect(results).toMatch(/over a folder, Grep may list files/);
    const reasons = attempt.refusals?.map((r) => r.reason).join('\n');
    expect(reasons).toMatch(/reaches outside/);
    expect(attempt.outcome).toBe('no_edit');
  }, 60_000);

  const hidesThroughSymlinks =
    'hides credential files from Grep through a symlinked project root, ' +
    'a symlinked folder and single-file counts';
  it(hidesThroughSymlinks, async () => {
    const real = tempDir();
    mkdirSync(join(real, 'src'));
    writeFileSync(join(real, 'src/value.js'), 'export const value = "bad";\n');
    writeFileSync(join(real, 'src/key.js'), `const k = "${KEY}";\n`);
    symlinkSync(join(real, 'src'), join(real, 'src2'));
    const root = join(tempDir(), 'project-link');
    symlinkSync(real, root);
    const h = await fixHarness({
      root,
      env: {
        HEADLESS_PROVIDER: 'claude-code',
        CLAUDE_CLI_PATH: CLAUDE,
        HOME: tempDir('fixloop-home-'),
        TEST_COMMAND: 'false',
        MAX_RETRIES: '0',
      },
    });
    h.fake.push(
      planReply({ files: ['src/value.js'] }),
      say(toolUse('Grep', { pattern: 'sk-ant|value' })),
      say(toolUse('Grep', { pattern: 'sk-ant', path: 'src2' })),
      say(toolUse('Grep', { pattern: 'sk-ant', path: join(root, 'src') })),
      say(
        toolUse('Grep', {
          pattern: 'sk-ant-api03-h',
          path: join(real, 'src/key.js'),
          output_mode: 'count',
        }),
      ),
      doneReply(),
    );
    const { task, verdict } = await h.failingTask('src/value.js');
    await h.fix(task, verdict);
    const results = (h.fake.messages.at(-1)?.body.messages as Array<{ content: unknown }>)
      .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
      .filter((b: { type: string }) => b.type === 'tool_result');
    expect(JSON.stringify(results[0])).toMatch(/src\/value\.js/);
    expect(JSON.stringify(results[0])).not.toMatch(/key\.js/);
    for (const r of results.slice(1)) expect(r).toMatchObject({ is_error: true });
    expect(JSON.stringify(results.slice(1))).toMatch(
      /search .* instead[\s\S]*search .* instead[\s\S]*contains a credential/,
    );
  }, 60_000);

  const tracksWriteRules =
    'tracks Claude Code’s own write rules (CRLF, curly quotes, trimmed whitespace, ' +
    'new folders, large multi-byte content) and rolls all of it back';
  it(tracksWriteRules, async () => {
    const files = {
      'src/value.js': 'export const value = "bad";\n',
      'src/crlf.js': 'a\r\nb = 1\r\nc\r\n',
      'src/q.js': 'const s = \u201Chello\u201D;\n',
    };
    const h = await harness(files);
    const attempt = await h.run(
      say(toolUse('Read', { file_path: h.at('src/crlf.js') })),
      say(
        toolUse('Edit', {
          file_path: h.at('src/crlf.js'),
          old_string: 'b = 1\nc',
          new_string: 'b = 2\nc',
        }),
      ),
      say(toolUse('Read', { file_path: h.at('src/q.js') })),
      say(
        toolUse('Edit', {
          file_path: h.at('src/q.js'),
          old_string: 'const s = "hello";',
          new_string: 'const s = "bye";',
        }),
      ),
      say(toolUse('Write', { file_path: h.at('src/new/deep/w.js'), content: 'x = 1;   \ny\n' })),
      // Over 64 KiB of multi-byte text: the hook must not split a character between stdin chunks.
      say(toolUse('Write', { file_path: h.at('src/euro.txt'), content: '\u20AC'.repeat(70_000) })),
    );
    // Every write was confirmed as the fixer's (none mistaken for a user edit), then rolled back
    // exactly.
    expect(attempt).toMatchObject({
      outcome: 'rolled_back',
      edited_files: ['src/crlf.js', 'src/q.js', 'src/new/deep/w.js', 'src/euro.txt'],
    });
    expect(existsSync(h.at('src/euro.txt'))).toBe(false);
    for (const [rel, content] of Object.entries(files))
      expect(readFileSync(h.at(rel), 'utf8')).toBe(content);
    expect(existsSync(h.at('src/new'))).toBe(false);
  }, 60_000);

  it('fails closed: a hook call that fails blocks the tool', async () => {
    const { root, fake, attempt } = await directAttempt({ hookFault: new Error('the gate broke') });
    fake.push(
      say(toolUse('Read', { file_path: join(root, 'value.js') })),
      say(toolUse('Write', { file_path: join(root, 'value.js'), content: 'pwned' })),
      doneReply(),
    );
    await attempt();
    // The tool results: each request's last user message (Claude Code 2.1.3xx may add a system
    // message after it, with the budget left).
    const results = JSON.stringify(
      fake.messages
        .slice(1)
        .map((m) => m.body.messages.filter((x: { role: string }) => x.role === 'user').at(-1)),
    );
    expect(results).not.toContain('private-content');
    expect(results).toMatch(/is_error":true/);
    expect(readFileSync(join(root, 'value.js'), 'utf8')).toBe('const value = "private-content";\n');
    await fake.close();
  }, 60_000);
});
