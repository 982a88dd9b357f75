/**
 * Secrets never leave the process: a test failure that prints the API key and a GitHub token is
 * recorded, shown and served everywhere without them. Grepped: the state file, every command's
 * output, every status endpoint, the console and the log. And the status server answers only
 * requests addressed to 127.0.0.1 or localhost (DNS rebinding).
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { TEST_KEY } from '../support/fix-harness.js';
import { makeProject } from '../support/project.js';

const GITHUB_TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';

/** GET with a chosen Host header (fetch would not let us lie about it). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The first event of /events. */
async function firstEvent(url: string): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(`${url}events`, { signal: controller.signal });
  const reader = res.body?.getReader();
  const { value } = (await reader?.read()) ?? {};
  controller.abort();
  return new TextDecoder().decode(value);
}

describe('secrets', () => {
  it('never reach the state, command output, status server, console or log', async () => {
    const cwd = makeProject('vitest-project');
    const env = {
      ANTHROPIC_API_KEY: TEST_KEY,
      AUTO_FIX_ENABLED: 'false',
      GITHUB_TOKEN,
      GITHUB_REPO: 'acme/shop',
      GITHUB_API_URL: 'http://127.0.0.1:9/',
      STATUS_PORT: '0',
    };
    const daemon = startDaemon(cwd, env);
    await daemon.waitFor(/Running \(pid \d+\)/);
    // A test that prints both secrets when it fails (as a debug line or a bad assertion would).
    writeFileSync(
      join(cwd, 'test/leak.test.js'),
      "import { expect, it } from 'vitest';\nimport { add } from '../src/math.js';\n" +
        `it('talks to the API', () => {\n  expect('key ${TEST_KEY} token ${GITHUB_TOKEN}')` +
        '.toBe(String(add(1, 1)));\n});\n',
    );
    const failed = await waitForState(cwd, (s) => s.queues.failed.length === 1);
    const id = failed.queues.failed[0]?.id ?? '';
    expect(failed.queues.failed[0]?.error).toMatch(/\[redacted\]/);
    const url = failed.processes.orchestrator?.status_url as string;

    const seen: Record<string, string> = {
      state: readFileSync(join(cwd, 'state/app_state.json'), 'utf8'),
    };
    for (const args of [['status'], ['status', '--json'], ['tasks'], ['tasks', '--json']]) {
      const run = await runCli(args, { cwd, env });
      seen[`fixloop ${args.join(' ')}`] = run.stdout + run.stderr;
    }
    for (const path of ['health', 'queue', `tasks/${id}`, 'metrics', '']) {
      seen[`GET /${path}`] = await (await fetch(`${url}${path}`)).text();
    }
    seen['GET /events'] = await firstEvent(url);
    expect(seen['GET /events']).toContain(id);

    const evil = await getWithHost(`${url}queue`, 'attacker.example:80');
    expect(evil.status).toBe(403);
    expect((await getWithHost(`${url}health`, 'localhost')).status).toBe(200);

    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    seen.console = daemon.output;
    seen.log = readFileSync(join(cwd, 'logs/automation.log'), 'utf8');
    for (const [where, text] of Object.entries(seen)) {
      expect(text, where).not.toContain(TEST_KEY);
      expect(text, where).not.toContain(GITHUB_TOKEN);
      expect(text, where).not.toContain(TEST_KEY.slice(0, 20));
    }
    expect(seen.console).toMatch(/\[redacted\]/);
  }, 60_000);
});
