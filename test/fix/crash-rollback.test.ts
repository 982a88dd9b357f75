import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recoverJournals } from '../../automation/fix/safety/journal.js';
import { contentHash } from '../../automation/fs/hash.js';
import { startDaemon, waitForState } from '../support/daemon.js';
import { doneReply, editReply, fakeAnthropic, planReply } from '../support/fake-anthropic.js';
import { fixHarness, TEST_KEY } from '../support/fix-harness.js';
import { edit, makeProject } from '../support/project.js';
import { tempDir } from '../support/tmp.js';

// "Tests" that pass when src/value.js says good, and take 10 s on the fixer's wrong edit (time to
// kill the daemon).
const TEST_COMMAND =
  `node -e "const c=require('fs').readFileSync('src/value.js','utf8'); ` +
  `if (c.includes('worse')) setTimeout(() => process.exit(1), 10000); ` +
  `else process.exit(c.includes('good') ? 0 : 1)"`;

describe('crash safety of fix attempts', () => {
  it('an attempt cut short by SIGKILL is rolled back at the next start, to the byte', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'src'));
    writeFileSync(join(cwd, 'src/value.js'), 'export const value = "good";\n');
    const fake = await fakeAnthropic();
    const env = {
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      TEST_COMMAND,
      WATCH_EXTENSIONS: '.js',
      MAX_RETRIES: '0',
    };
    fake.push(
      planReply({ files: ['src/value.js'] }),
      editReply({
        command: 'str_replace',
        path: 'src/value.js',
        old_str: '"bad"',
        new_str: '"worse"',
      }),
      doneReply(),
    );
    const daemon = startDaemon(cwd, env);
    await daemon.waitFor(/Running/);
    const userVersion = 'export const value = "bad"; // my change\n';
    writeFileSync(join(cwd, 'src/value.js'), userVersion);
    await daemon.waitFor(/Running tests to validate the fix/);
    expect(readFileSync(join(cwd, 'src/value.js'), 'utf8')).toContain('"worse"');
    daemon.child.kill('SIGKILL');
    await daemon.exited;

    fake.push(
      planReply({ files: ['src/value.js'] }),
      editReply({
        command: 'str_replace',
        path: 'src/value.js',
        old_str: '"bad"',
        new_str: '"good"',
      }),
      doneReply(),
    );
    const again = startDaemon(cwd, env);
    await again.waitFor(/Rolled back src\/value\.js: a fix attempt was interrupted by a crash/);
    await again.waitFor(/Running/);
    // The interrupted task runs again from the user's version and is fixed.
    const done = await waitForState(cwd, (s) =>
      s.queues.completed.some((t) => t.outcome === 'fixed'),
    );
    expect(done.queues.completed.find((t) => t.outcome === 'fixed')?.retry_count).toBe(1);
    expect(readFileSync(join(cwd, 'src/value.js'), 'utf8')).toBe(
      userVersion.replace('"bad"', '"good"'),
    );
    const editRequest = fake.messages.at(-2)!;
    expect(JSON.stringify(editRequest.body)).toContain('src/value.js');
    again.child.kill('SIGINT');
    expect((await again.exited).code).toBe(0);
  }, 60_000);

  const twoJournals =
    'two journals for one file (an earlier rollback failed) are undone newest first, ' +
    'back to the original';
  it(twoJournals, async () => {
    const dir = tempDir();
    const file = join(dir, 'value.js');
    const journals = join(dir, 'rollback');
    mkdirSync(journals);
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    const journal = (name: string, original: string, wrote: string, mtime: number) => {
      const path = join(journals, name);
      writeFileSync(
        path,
        JSON.stringify({
          files: [{ abs: file, original: b64(original), written: [contentHash(wrote)] }],
          dirs: [],
        }),
      );
      utimesSync(path, mtime, mtime);
    };
    // Named so that directory order would replay the older one first.
    journal('task_b-1.json', 'original\n', 'first attempt\n', 1000);
    journal('task_a-1.json', 'first attempt\n', 'second attempt\n', 2000);
    writeFileSync(file, 'second attempt\n');
    const report = await recoverJournals(journals, () => {});
    expect(readFileSync(file, 'utf8')).toBe('original\n');
    expect(report).toMatchObject({ restored: [file, file], keptUserEdits: [] });
  });

  const unreplayableJournal =
    'a journal that cannot be replayed does not stop the daemon, ' +
    'and no fix starts until it is resolved';
  it(unreplayableJournal, async () => {
    const root = makeProject('vitest-project');
    // unreadable: a directory
    mkdirSync(join(root, 'state/rollback/task_old-1-abc.json'), { recursive: true });
    const h = await fixHarness({ root, env: { MAX_RETRIES: '0' } });
    const unreadable = [
      /could not read the rollback journal .*task_old-1-abc\.json/,
      /.*no fix starts until it is replayed/,
    ];
    expect(h.lines.join('')).toMatch(new RegExp(unreadable.map((r) => r.source).join('')));
    edit(h.root, 'src/math.js', 'return a + b;', 'return a - b;');
    const { task, verdict } = await h.failingTask('src/math.js');
    const blocked = await h.fix(task, verdict);
    expect(blocked).toMatchObject({
      kind: 'failed',
      error: expect.stringMatching(/rollback is not finished: could not read the rollback journal/),
    });
    expect(h.fake.messages).toHaveLength(0); // no model call while the tree may be half-restored
    rmSync(join(root, 'state/rollback/task_old-1-abc.json'), { recursive: true });
    h.fake.push(
      planReply(),
      editReply({
        command: 'str_replace',
        path: 'src/math.js',
        old_str: 'return a - b;',
        new_str: 'return a + b;',
      }),
      doneReply(),
    );
    const again = await h.failingTask('src/math.js');
    expect((await h.fix(again.task, again.verdict)).kind).toBe('fixed');
  }, 60_000);
});
