import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SandboxedEditor } from '../../../automation/fix/providers/api/editor.js';
import { FileGuard } from '../../../automation/fix/safety/guard.js';
import { Sandbox } from '../../../automation/fix/safety/sandbox.js';
import { AttemptSnapshot } from '../../../automation/fix/safety/snapshot.js';
import { doneReply, editReply, planReply } from '../../support/fake-anthropic.js';
import { fixHarness } from '../../support/fix-harness.js';
import { edit } from '../../support/project.js';
import { tempDir } from '../../support/tmp.js';

describe('the sandboxed editor', () => {
  it('refuses every path outside the rules, changes nothing, and tells the model why', async () => {
    const outside = tempDir('fixloop-outside-');
    writeFileSync(join(outside, 'victim.txt'), 'outside\n');
    const h = await fixHarness({ env: { FIX_PROTECT: 'src/generated/**' } });
    edit(h.root, 'src/math.js', 'return a + b;', 'return a - b;');
    mkdirSync(join(h.root, '.git'));
    writeFileSync(join(h.root, '.git/config'), '[core]\n');
    writeFileSync(join(h.root, '.env'), 'SECRET=1\n');
    symlinkSync(outside, join(h.root, 'linkout'));
    symlinkSync(join(outside, 'not-yet.txt'), join(h.root, 'src/dangling.js'));
    const parentFile = join(h.root, '..', `${h.root.split('/').pop()}-sibling.txt`);
    const snapshot = () => ({
      victim: readFileSync(join(outside, 'victim.txt'), 'utf8'),
      git: readFileSync(join(h.root, '.git/config'), 'utf8'),
      env: readFileSync(join(h.root, '.env'), 'utf8'),
      test: readFileSync(join(h.root, 'test/math.test.js'), 'utf8'),
      math: readFileSync(join(h.root, 'src/math.js'), 'utf8'),
      files: readdirSync(h.root).sort(),
      src: readdirSync(join(h.root, 'src')).sort(),
    });
    const { task, verdict } = await h.failingTask('src/math.js');
    const before = snapshot();
    const attempts = [
      { command: 'create', path: `../${parentFile.split('/').pop()}`, file_text: 'x' },
      { command: 'create', path: join(outside, 'victim.txt'), file_text: 'pwned' },
      { command: 'create', path: 'linkout/victim.txt', file_text: 'pwned' },
      { command: 'create', path: '.env', file_text: 'SECRET=2' },
      { command: 'view', path: '.env' },
      { command: 'str_replace', path: '.git/config', old_str: '[core]', new_str: '[pwned]' },
      {
        command: 'str_replace',
        path: 'test/math.test.js',
        old_str: 'toBe(5)',
        new_str: 'toBe(-1)',
      },
      { command: 'create', path: 'src/generated/x.js', file_text: 'x' },
      { command: 'create', path: 'state/app_state.json', file_text: '{}' },
      { command: 'create', path: 'node_modules/evil.js', file_text: 'x' },
      { command: 'create', path: 'src/dangling.js', file_text: 'pwned' },
    ];
    h.fake.push(planReply(), editReply(...attempts), doneReply());
    const result = await h.fix(task, verdict);

    expect(result).toMatchObject({ kind: 'failed', error: expect.stringMatching(/may not make/) });
    expect(snapshot()).toEqual(before);
    const results = h.fake.messages[2]?.body.messages.at(-1).content as Array<{
      type: string;
      is_error: boolean;
      content: string;
    }>;
    expect(results).toHaveLength(attempts.length);
    for (const r of results)
      expect(r).toMatchObject({
        type: 'tool_result',
        is_error: true,
        content: expect.stringMatching(/^Error: refused: /),
      });
    const reasons = results.map((r) => r.content);
    expect(reasons[0]).toMatch(/outside the project root/);
    expect(reasons[1]).toMatch(/outside the project root/);
    expect(reasons[2]).toMatch(/outside the project root/);
    expect(reasons[3]).toMatch(/environment or credentials file/);
    expect(reasons[4]).toMatch(/environment or credentials file/);
    expect(reasons[5]).toMatch(/inside \.git\//);
    expect(reasons[6]).toMatch(/is a test file/);
    expect(reasons[7]).toMatch(/FIX_PROTECT/);
    expect(reasons[8]).toMatch(/belongs to fixloop itself/);
    expect(reasons[9]).toMatch(/node_modules/);
    expect(reasons[10]).toMatch(/dangling symbolic link/);
    // nothing written through the dangling link
    expect(readdirSync(outside)).toEqual(['victim.txt']);
    const recorded = (result.patch?.attempts as Array<{ refusals: unknown[] }>)[0]?.refusals;
    expect(recorded).toHaveLength(attempts.length);
  }, 60_000);

  const testEditsBinaryCleanup =
    'allows test edits with FIX_ALLOW_TEST_EDITS=true, refuses binary files, ' +
    'and removes files and directories it created on rollback';
  it(testEditsBinaryCleanup, async () => {
    const h = await fixHarness({ env: { FIX_ALLOW_TEST_EDITS: 'true', MAX_RETRIES: '0' } });
    edit(h.root, 'src/math.js', 'return a + b;', 'return a - b;');
    writeFileSync(join(h.root, 'src/blob.js'), Buffer.from([0x61, 0x00, 0x62]));
    h.fake.push(
      planReply(),
      editReply(
        { command: 'str_replace', path: 'src/blob.js', old_str: 'a', new_str: 'c' },
        { command: 'create', path: 'src/new/deep/helper.js', file_text: 'export const x = 1;\n' },
        {
          command: 'str_replace',
          path: 'test/math.test.js',
          old_str: 'toBe(20)',
          new_str: 'toBe(21)',
        },
      ),
      doneReply(),
    );
    const before = readFileSync(join(h.root, 'test/math.test.js'), 'utf8');
    const { task, verdict } = await h.failingTask('src/math.js');
    const result = await h.fix(task, verdict);
    expect(result.kind).toBe('failed');
    const toolResults = h.fake.messages[2]?.body.messages.at(-1).content as Array<{
      is_error: boolean;
      content: string;
    }>;
    expect(toolResults[0]).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/binary/),
    });
    expect(toolResults[1]?.is_error).toBe(false);
    expect(toolResults[2]?.is_error).toBe(false);
    expect(readFileSync(join(h.root, 'test/math.test.js'), 'utf8')).toBe(before);
    expect(readdirSync(join(h.root, 'src')).sort()).toEqual(['blob.js', 'greeting.js', 'math.js']);
  }, 60_000);
});

describe('the file guard and editor, directly', () => {
  function setup(root: string, ownPaths: string[] = []) {
    const snapshot = new AttemptSnapshot();
    const guard = new FileGuard({
      sandbox: new Sandbox({ root, ownPaths, allowTestEdits: false, protect: [] }),
      snapshot,
      onOwnWrite: () => {},
    });
    return { snapshot, guard, editor: new SandboxedEditor(guard) };
  }

  it('a directory given as a file is the model’s mistake, answered, not a crash', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'src/dir'), { recursive: true });
    writeFileSync(join(root, 'src/file.js'), 'x\n');
    const { editor } = setup(root);
    expect(
      await editor.execute({ command: 'create', path: 'src/dir', file_text: 'x' }),
    ).toMatchObject({ isError: true, content: expect.stringMatching(/is a directory/) });
    expect(
      await editor.execute({ command: 'create', path: 'src/file.js/inner.js', file_text: 'x' }),
    ).toMatchObject({ isError: true, content: expect.stringMatching(/ENOTDIR|EEXIST/) });
  });

  it('protected names match in any case, and own paths match through a symlinked root', () => {
    const real = tempDir();
    mkdirSync(join(real, 'state'));
    const link = join(tempDir(), 'project-link');
    symlinkSync(real, link);
    const sandbox = new Sandbox({
      root: link,
      ownPaths: [join(real, 'state')],
      allowTestEdits: false,
      protect: [],
    });
    expect(sandbox.writeRefusal('.GIT/config')).toMatch(/inside \.git\//);
    expect(sandbox.writeRefusal('Node_Modules/x.js')).toMatch(/node_modules/);
    expect(sandbox.writeRefusal('config/.ENV.local')).toMatch(/environment or credentials file/);
    const r = sandbox.resolve(join(link, 'state/app_state.json'));
    expect(r.ok && sandbox.writeRefusal(r.rel)).toMatch(/belongs to fixloop itself/);
  });

  const atomicWrites =
    'writes are atomic replacements that keep the file’s mode, ' +
    'and rollback restores mode and bytes';
  it(atomicWrites, async () => {
    const root = tempDir();
    const file = join(root, 'run.sh');
    writeFileSync(file, '#!/bin/sh\necho old\n');
    chmodSync(file, 0o755);
    const { editor, snapshot } = setup(root);
    expect(
      await editor.execute({
        command: 'str_replace',
        path: 'run.sh',
        old_str: 'old',
        new_str: 'new',
      }),
    ).toMatchObject({ isError: false });
    expect(statSync(file).mode & 0o777).toBe(0o755);
    expect(readdirSync(root)).toEqual(['run.sh']); // no temp file left behind
    // what a killed Claude Code write leaves
    writeFileSync(join(root, `run.sh.tmp.${process.pid}.123`), 'partial');
    await snapshot.rollback();
    expect(readFileSync(file, 'utf8')).toBe('#!/bin/sh\necho old\n');
    expect(statSync(file).mode & 0o777).toBe(0o755);
    expect(readdirSync(root)).toEqual(['run.sh']);
  });
});
