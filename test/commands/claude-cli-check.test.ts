/** doctor's Claude Code line: found, and new enough for the Agent SDK's fail-closed hooks. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../automation/config/load.js';
import { cliCheck } from '../../automation/doctor/environment-checks.js';
import { tempDir } from '../support/tmp.js';

const CLAUDE = fileURLToPath(new URL('../../node_modules/.bin/claude', import.meta.url));

/** The doctor's CLI line for a Claude Code at `cliPath`. */
async function cliLine(cliPath: string) {
  const config = loadConfig({
    cwd: tempDir(),
    env: {
      HEADLESS_PROVIDER: 'claude-code',
      CLAUDE_CLI_PATH: cliPath,
      ANTHROPIC_API_KEY: 'sk-ant-api03-doctor-test-0123456789',
      HOME: tempDir('fixloop-home-'),
      PATH: process.env.PATH ?? '',
    },
  });
  return (await cliCheck(config)).find((c) => c.name === 'Claude Code CLI');
}

describe('doctor: the Claude Code CLI', () => {
  it('passes the current release and fails one too old for fail-closed hooks', async () => {
    expect(await cliLine(CLAUDE)).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/2\.1\.\d{3}/),
    });
    const old = join(tempDir(), 'claude');
    writeFileSync(old, '#!/bin/sh\necho "2.1.100 (Claude Code)"\n', { mode: 0o755 });
    expect(await cliLine(old)).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('needs Claude Code 2.1.326 or newer'),
      fix: expect.stringContaining('CLAUDE_CLI_PATH'),
    });
    const newer = join(tempDir(), 'claude');
    writeFileSync(newer, '#!/bin/sh\necho "2.2.0 (Claude Code)"\n', { mode: 0o755 });
    expect(await cliLine(newer)).toMatchObject({ status: 'ok' });
  });
});
