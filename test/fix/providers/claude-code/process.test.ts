/**
 * The claude-code provider's Claude Code process, started for the Agent SDK: the isolation flags
 * it gets, and clear errors when it cannot start, ends without a result, or is too old to block a
 * tool call whose hook fails.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAUDE, directAttempt } from '../../../support/claude-code.js';
import { doneReply } from '../../../support/fake-anthropic.js';
import { tempDir } from '../../../support/tmp.js';

/** An executable script in a temp folder. */
function script(text: string): string {
  const path = join(tempDir(), 'claude');
  writeFileSync(path, text, { mode: 0o755 });
  return path;
}

describe('the Claude Code process', () => {
  it('gets fixloop’s isolation flags: five tools, no settings of yours, no MCP, no session', async () => {
    const dir = tempDir();
    const recorder = script(
      `#!/bin/sh\nprintf '%s\\n' "$@" > ${dir}/argv\nenv > ${dir}/env\nexec ${CLAUDE} "$@"\n`,
    );
    const { fake, attempt } = await directAttempt({ cliPath: recorder });
    fake.push(doneReply());
    await attempt();
    const argv = readFileSync(join(dir, 'argv'), 'utf8').split('\n');
    expect(argv).toEqual(
      expect.arrayContaining([
        '--tools=Read,Edit,Write,Glob,Grep',
        '--allowedTools=Read,Glob,Grep',
        '--permission-mode=default',
        '--setting-sources=',
        '--strict-mcp-config',
        '--no-session-persistence',
        '--max-turns=5',
        '--settings',
      ]),
    );
    expect(argv.join(' ')).not.toMatch(/dangerously|permission-prompt-tool|--mcp-config|bypass/);
    const env = readFileSync(join(dir, 'env'), 'utf8');
    expect(env).not.toMatch(/^NODE_OPTIONS=/m);
    await fake.close();
  }, 60_000);

  it('that cannot start is named, with the reason', async () => {
    const { fake, attempt } = await directAttempt({ cliPath: '/nonexistent/claude' });
    await expect(attempt()).rejects.toThrow(
      /^could not start Claude Code \(\/nonexistent\/claude\): .*ENOENT/,
    );
    await fake.close();
  });

  it('that ends without a result: how it ended and its last words', async () => {
    const cli = script('#!/bin/sh\necho "warming up" >&2\necho "no config for you" >&2\nexit 3\n');
    const { fake, attempt } = await directAttempt({ cliPath: cli });
    await expect(attempt()).rejects.toThrow(
      /^Claude Code ended \(exit 3\) without a result: .*its last output: no config for you$/,
    );
    await fake.close();
  });

  it('too old to block a call whose hook fails is refused before anything runs', async () => {
    // Answers the SDK's initialize like a Claude Code from before onFailure, then waits.
    const cli = script(
      '#!/usr/bin/env node\n' +
        "const rl = require('node:readline').createInterface({ input: process.stdin });\n" +
        "rl.on('line', (line) => {\n" +
        '  const m = JSON.parse(line);\n' +
        "  if (m.type !== 'control_request') return;\n" +
        '  const response = { subtype: "success", request_id: m.request_id, response: {} };\n' +
        "  process.stdout.write(JSON.stringify({ type: 'control_response', response }) + '\\n');\n" +
        '});\n',
    );
    const { fake, attempt } = await directAttempt({ cliPath: cli });
    await expect(attempt()).rejects.toThrow(
      /is too old to block a tool call whose hook fails; fixloop needs 2\.1\.326 or newer/,
    );
    expect(fake.messages).toEqual([]); // the model was never asked
    await fake.close();
  });
});
