/**
 * Files named by an order are untrusted: `fixloop add --file` and `POST /tasks` refuse a name the
 * sandbox would not let be edited (a secrets file, `node_modules`, `../`, a committed link that
 * leads outside), naming it; a name that arrives after entry (a split part the planner made)
 * is dropped with a note on the task, and its bytes never reach the model. Real CLI and git.
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { State } from '../../automation/store/schema.js';
import { runCli } from '../support/cli.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { fakeAnthropic, planReply } from '../support/fake-anthropic.js';
import { git } from '../support/git.js';
import { tempDir } from '../support/tmp.js';
import {
  SLUG_OK,
  SLUG_TEST,
  workEnv,
  workPlan,
  workRepo,
  writesFiles,
} from '../support/work-repo.js';

const SECRET = 'DATABASE_PASSWORD=hunter2-very-secret-value';
const TOKEN = 'status-token-for-tests-0123456789';

describe('named files', () => {
  it('add and POST /tasks refuse names the sandbox would not let be edited', async () => {
    const { root } = workRepo();
    writeFileSync(join(root, '.env.local'), `${SECRET}\n`);
    const outside = tempDir('fixloop-outside-');
    writeFileSync(join(outside, 'notes.txt'), 'private notes\n');
    symlinkSync(join(outside, 'notes.txt'), join(root, 'notes.txt'));
    git(root, 'add', 'notes.txt');
    git(root, 'commit', '-q', '-m', 'a link');
    const env = { AUTO_FIX_ENABLED: 'false' };
    for (const [file, why] of [
      ['.env.local', /environment or credentials file/],
      ['notes.txt', /outside the project root/],
      ['node_modules/left-pad/index.js', /inside node_modules/],
      ['.git/config', /inside \.git/],
      ['../elsewhere.js', /outside PROJECT_ROOT/],
    ] as const) {
      const run = await runCli(['add', 'look at it', '--file', file], { cwd: root, env });
      expect(run.code, file).toBe(2);
      expect(run.stderr).toMatch(why);
      expect(run.stderr).toContain(file.replace('../', ''));
    }
    const daemon = startDaemon(root, { ...env, STATUS_PORT: '0', STATUS_TOKEN: TOKEN });
    const state = await waitForState(
      root,
      (s) => typeof s.processes.orchestrator?.status_url === 'string',
    );
    const url = `${state.processes.orchestrator?.status_url}tasks`;
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ description: 'read the config', files: ['.env.local'] }),
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: string }).error).toMatch(
      /^files: \.env\.local: .*environment or credentials file/,
    );
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 60_000);

  it("a split part's secret file is dropped with a note; its bytes never reach the model", async () => {
    const { root } = workRepo();
    writeFileSync(join(root, '.env.local'), `${SECRET}\n`);
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake);
    const id = (
      await runCli(['add', 'add a slug helper', '--split'], { cwd: root, env })
    ).stdout.trim();
    fake.push(
      planReply({
        summary: 'One part',
        parts: [{ description: 'add a slug helper', files: ['.env.local', 'src/slug.js'] }],
      } as Parameters<typeof planReply>[0]),
      workPlan('Add a slug helper', ['src/slug.js']),
      ...writesFiles({ 'src/slug.js': SLUG_OK, 'test/slug.test.js': SLUG_TEST }),
    );
    const daemon = startDaemon(root, env);
    const done = (s: State) => s.queues.completed.some((t) => t.id === id);
    const state = await waitForState(root, done, 90_000);
    const child = state.queues.completed.find((t) => t.parent_id === id);
    expect(child).toMatchObject({
      outcome: 'done',
      files_refused: [
        { file: '.env.local', reason: expect.stringMatching(/environment or credentials file/) },
      ],
    });
    expect(fake.requests.map((r) => r.raw).join('\n')).not.toContain('hunter2');
    await daemon.waitFor(/named files not shown to the model: \.env\.local/);
    daemon.child.kill('SIGINT');
    await daemon.exited;
  }, 120_000);
});
