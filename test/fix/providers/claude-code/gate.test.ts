import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeCodeResult } from '../../../../automation/fix/providers/claude-code/edit.js';
import { Gate } from '../../../../automation/fix/providers/claude-code/gate.js';
import { FileGuard } from '../../../../automation/fix/safety/guard.js';
import { Sandbox } from '../../../../automation/fix/safety/sandbox.js';
import { AttemptSnapshot } from '../../../../automation/fix/safety/snapshot.js';
import { tempDir } from '../../../support/tmp.js';

/** A gate over a real temp project, asked directly as Claude Code's hooks would ask it. */
function setup() {
  const root = tempDir();
  mkdirSync(join(root, 'src'));
  const file = join(root, 'src/a.js');
  writeFileSync(file, 'const a = 1;\n');
  const snapshot = new AttemptSnapshot();
  const guard = new FileGuard({
    sandbox: new Sandbox({ root, ownPaths: [], allowTestEdits: false, protect: [] }),
    snapshot,
    onOwnWrite: () => {},
  });
  const gate = new Gate(guard, { secrets: ['s3cr3t-value'], root, home: tempDir('fixloop-home-') });
  const pre = (tool_name: string, tool_input: Record<string, unknown>) =>
    gate.decide({ hook_event_name: 'PreToolUse', tool_name, tool_input });
  const post = (tool_name: string, tool_input: Record<string, unknown>, tool_response?: unknown) =>
    gate.decide({ hook_event_name: 'PostToolUse', tool_name, tool_input, tool_response });
  return { root, file, snapshot, guard, gate, pre, post };
}

const edit = (file: string, from: string, to: string) => ({
  file_path: file,
  old_string: from,
  new_string: to,
});

describe('the claude-code gate', () => {
  const editNeverCarriedOut =
    'an Edit it allowed but Claude Code never carried out is not taken for a user edit';
  it(editNeverCarriedOut, async () => {
    const { file, gate, guard, pre } = setup();
    expect(await pre('Read', { file_path: file })).toMatchObject({ permissionDecision: 'allow' });
    expect(await pre('Edit', edit(file, 'no such text', 'x'))).toMatchObject({
      permissionDecision: 'allow',
    });
    // Claude Code rejected it (string not found): no write, no PostToolUse. The next Edit is fine.
    expect(await pre('Edit', edit(file, '1', '2'))).toMatchObject({ permissionDecision: 'allow' });
    expect(gate.userEdit).toBeUndefined();
    expect([...guard.edited]).toEqual([]); // nothing is counted as edited until it is confirmed
  });

  const userSaveBeforeHook =
    'a user save between Claude Code’s write and its PostToolUse hook is the user’s: ' +
    'kept, and the attempt stops';
  it(userSaveBeforeHook, async () => {
    const { file, gate, guard, snapshot, pre, post } = setup();
    await pre('Read', { file_path: file });
    expect(await pre('Edit', edit(file, '1', '2'))).toMatchObject({ permissionDecision: 'allow' });
    writeFileSync(file, 'const a = 2;\n'); // Claude Code's write
    writeFileSync(file, 'const a = 42; // mine\n'); // the user saves right after
    await post('Edit', edit(file, '1', '2'));
    expect(gate.userEdit?.message).toMatch(
      /src\/a\.js does not hold the content Claude Code was allowed to write/,
    );
    expect(await pre('Edit', edit(file, '42', '3'))).toMatchObject({ permissionDecision: 'deny' });
    expect([...guard.edited]).toEqual([]);
    const report = await snapshot.rollback();
    expect(report.keptUserEdits).toEqual([file]);
    expect(readFileSync(file, 'utf8')).toBe('const a = 42; // mine\n');
  });

  it('a confirmed write counts as the fixer’s and is rolled back to the byte', async () => {
    const { file, guard, snapshot, pre, post } = setup();
    await pre('Read', { file_path: file });
    await pre('Edit', edit(file, '1', '2'));
    writeFileSync(file, 'const a = 2;\n');
    await post('Edit', edit(file, '1', '2'));
    // A Write whose content Claude Code normalised: the content it reports is on disk, so it is
    // ours too.
    await pre('Write', { file_path: file, content: 'const a = 3;   \n' });
    writeFileSync(file, 'const a = 3;\n');
    await post(
      'Write',
      { file_path: file, content: 'const a = 3;   \n' },
      { type: 'update', content: 'const a = 3;\n' },
    );
    expect([...guard.edited]).toEqual(['src/a.js']);
    expect(await snapshot.rollback()).toMatchObject({ restored: [file], keptUserEdits: [] });
    expect(readFileSync(file, 'utf8')).toBe('const a = 1;\n');
  });

  const refusesSecretReads =
    'refuses reads that would show the model a secret, ' +
    'globs that leave the folder, and content greps over folders';
  it(refusesSecretReads, async () => {
    const { root, pre, guard } = setup();
    writeFileSync(join(root, 'src/key.js'), 'const key = "s3cr3t-value";\n');
    writeFileSync(join(root, 'src/aws.js'), 'const id = "AKIAABCDEFGHIJKLMNOP";\n');
    writeFileSync(join(root, '.ENV'), 'X=1\n');
    const denied = async (tool: string, input: Record<string, unknown>) =>
      (await pre(tool, input)).permissionDecision === 'deny';
    expect(await denied('Read', { file_path: join(root, 'src/key.js') })).toBe(true);
    expect(await denied('Read', { file_path: join(root, 'src/aws.js') })).toBe(true);
    expect(await denied('Read', { file_path: join(root, '.ENV') })).toBe(true);
    expect(
      await denied('Grep', {
        pattern: 'key',
        path: join(root, 'src/key.js'),
        output_mode: 'content',
      }),
    ).toBe(true);
    expect(await denied('Grep', { pattern: 'key', output_mode: 'content' })).toBe(true);
    expect(await denied('Grep', { pattern: 'key', glob: '../**' })).toBe(true);
    expect(await denied('Glob', { pattern: '/etc/*' })).toBe(true);
    expect(await denied('Glob', { pattern: 'src/../../*' })).toBe(true);
    expect(await denied('Bash', { command: 'cat .env' })).toBe(true);
    // Paths as Claude Code expands them: `~`, surrounding spaces.
    expect(await denied('Glob', { pattern: '*', path: '~' })).toBe(true);
    expect(
      await denied('Grep', { pattern: 'aws_secret', path: '~/.aws', output_mode: 'count' }),
    ).toBe(true);
    expect(await denied('Glob', { pattern: '*', path: ' /etc' })).toBe(true);
    expect(await denied('Read', { file_path: ' /etc/hostname ' })).toBe(true);
    // A search spelled through a symlink would slip past Claude Code's deny rules; a count on one
    // file answers guesses.
    symlinkSync(join(root, 'src'), join(root, 'src2'));
    expect(await pre('Grep', { pattern: 'k', path: 'src2' })).toMatchObject({
      permissionDecision: 'deny',
      reason: expect.stringMatching(/search .*src instead/),
    });
    expect(await denied('Glob', { pattern: '*', path: join(root, 'src2') })).toBe(true);
    expect(
      await denied('Grep', {
        pattern: 's3cr',
        path: join(root, 'src/key.js'),
        output_mode: 'count',
      }),
    ).toBe(true);
    // Too large to check, or to write.
    writeFileSync(join(root, 'src/big.js'), 'x'.repeat(1_100_000));
    expect(await denied('Read', { file_path: join(root, 'src/big.js') })).toBe(true);
    expect(
      await denied('Write', {
        file_path: join(root, 'src/new.js'),
        content: 'y'.repeat(1_100_000),
      }),
    ).toBe(true);
    // Allowed: listing, counting, and content from a clean file.
    expect(await denied('Grep', { pattern: 'key' })).toBe(false);
    expect(
      await denied('Grep', { pattern: 'a', path: join(root, 'src/a.js'), output_mode: 'content' }),
    ).toBe(false);
    expect(await denied('Glob', { pattern: 'src/**/*.js' })).toBe(false);
    expect(guard.refusals.map((r) => r.reason).join('\n')).toMatch(/contains a credential/);
  });

  it('stop() waits for a call in flight and refuses every call after it', async () => {
    const { file, gate, pre } = setup();
    let settled = false;
    void pre('Write', { file_path: file, content: 'x' }).then(() => (settled = true));
    await gate.stop();
    expect(settled).toBe(true);
    expect(await pre('Read', { file_path: file })).toMatchObject({
      permissionDecision: 'deny',
      reason: /over/,
    });
  });
});

describe('claudeCodeResult (Claude Code 2.1’s write semantics)', () => {
  it('keeps CRLF files CRLF, follows curly quotes, and takes the newline of a deleted line', () => {
    expect(
      claudeCodeResult('Edit', { old_string: 'b\nc', new_string: 'B\nC' }, 'a\r\nb\r\nc\r\n'),
    ).toBe('a\r\nB\r\nC\r\n');
    expect(
      claudeCodeResult(
        'Edit',
        { old_string: 'say "hi"', new_string: 'say "bye"' },
        'say \u201Chi\u201D;\n',
      ),
    ).toBe('say \u201Cbye\u201D;\n');
    expect(
      claudeCodeResult('Edit', { old_string: 'x = 1;', new_string: '' }, 'x = 1;\ny = 2;\n'),
    ).toBe('y = 2;\n');
    expect(
      claudeCodeResult('Edit', { old_string: 'a', new_string: 'b', replace_all: true }, 'aXa'),
    ).toBe('bXb');
    expect(claudeCodeResult('Edit', { old_string: '', new_string: 'new file' }, null)).toBe(
      'new file',
    );
    expect(claudeCodeResult('Write', { content: 'w' }, 'old')).toBe('w');
  });
});
