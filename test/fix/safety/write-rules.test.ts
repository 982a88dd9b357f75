/**
 * The last moments of a write: a save of the user's that lands just before the check or just
 * after it (written in place) is kept, on the fixer's writes and on rollbacks alike; every write
 * command obeys the binary and size rules; a file that is not UTF-8 is never re-encoded.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserEditError } from '../../../automation/fix/errors.js';
import { SandboxedEditor } from '../../../automation/fix/providers/api/editor.js';
import { FileGuard } from '../../../automation/fix/safety/guard.js';
import { Sandbox } from '../../../automation/fix/safety/sandbox.js';
import { AttemptSnapshot } from '../../../automation/fix/safety/snapshot.js';
import type { RaceHooks } from '../../../automation/fs/replace.js';
import { tempDir } from '../../support/tmp.js';

function setup(race?: RaceHooks) {
  const root = tempDir();
  writeFileSync(join(root, 'a.js'), 'export const a = 1;\n');
  const snapshot = new AttemptSnapshot(() => {}, undefined, race);
  const sandbox = new Sandbox({ root, ownPaths: [], allowTestEdits: false, protect: [] });
  const guard = new FileGuard({
    sandbox,
    snapshot,
    onOwnWrite: () => {},
    ...(race ? { race } : {}),
  });
  return { root, file: join(root, 'a.js'), snapshot, guard, editor: new SandboxedEditor(guard) };
}

const USER = 'export const a = "the user\'s save";\n';
/** Saves the way editors do: in place (same inode), or a new file renamed over the path. */
const saves = {
  'in place': (file: string) => writeFileSync(file, USER),
  'by rename': (file: string) => {
    writeFileSync(`${file}.swp`, USER);
    renameSync(`${file}.swp`, file);
  },
};
const edit = { command: 'str_replace', path: 'a.js', old_str: '= 1', new_str: '= 2' };

describe('a save landing in the write window', () => {
  for (const [how, save] of Object.entries(saves)) {
    for (const moment of ['beforeCheck', 'beforeRename'] as const) {
      // Saved by rename after the check: the one window left (microseconds wide, not covered).
      if (how === 'by rename' && moment === 'beforeRename') continue;
      const when = `${how} ${moment === 'beforeCheck' ? 'before' : 'after'} the check`;
      it(`is kept when saved ${when} (write)`, async () => {
        for (let round = 0; round < 3; round++) {
          let file = '';
          const h = setup({ [moment]: async () => save(file) });
          file = h.file;
          await h.editor.execute({ command: 'view', path: 'a.js' });
          await expect(h.editor.execute(edit)).rejects.toBeInstanceOf(UserEditError);
          expect(readFileSync(h.file, 'utf8')).toBe(USER);
        }
      });

      it(`is kept when saved ${when} (rollback)`, async () => {
        for (let round = 0; round < 3; round++) {
          let armed = false;
          let file = '';
          const h = setup({
            [moment]: async () => {
              if (armed) save(file);
            },
          });
          file = h.file;
          await h.editor.execute({ command: 'view', path: 'a.js' });
          await h.editor.execute(edit);
          expect(readFileSync(h.file, 'utf8')).toBe('export const a = 2;\n');
          armed = true;
          const report = await h.snapshot.rollback();
          expect(report.keptUserEdits).toEqual([h.file]);
          expect(readFileSync(h.file, 'utf8')).toBe(USER);
        }
      });
    }
  }
});

describe('every write command obeys the rules', () => {
  it('refuses a create over a binary file or one over 1 MB, leaving them untouched', async () => {
    const h = setup();
    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]);
    writeFileSync(join(h.root, 'tool.js'), binary);
    const big = `// ${'x'.repeat(2_000_000)}\n`;
    writeFileSync(join(h.root, 'big.js'), big);
    for (const path of ['tool.js', 'big.js']) {
      const out = await h.editor.execute({ command: 'create', path, file_text: 'replaced\n' });
      expect(out).toMatchObject({ isError: true, content: expect.stringMatching(/refused/) });
    }
    expect(readFileSync(join(h.root, 'tool.js'))).toEqual(binary);
    expect(readFileSync(join(h.root, 'big.js'), 'utf8')).toBe(big);
    expect(h.guard.refusals.map((r) => r.path)).toEqual(['tool.js', 'big.js']);
  });

  it('never re-encodes a file that is not UTF-8 (a Latin-1 file keeps every byte)', async () => {
    const h = setup();
    const latin1 = Buffer.from('// café crème\nexport const price = 1;\n', 'latin1');
    writeFileSync(join(h.root, 'menu.js'), latin1);
    const replace = { command: 'str_replace', path: 'menu.js', old_str: '= 1', new_str: '= 2' };
    const insert = { command: 'insert', path: 'menu.js', insert_line: 0, insert_text: '// x' };
    for (const call of [replace, insert]) {
      const out = await h.editor.execute(call);
      expect(out).toMatchObject({ isError: true, content: expect.stringMatching(/not UTF-8/) });
    }
    expect(readFileSync(join(h.root, 'menu.js'))).toEqual(latin1);
  });
});
