import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  absoluteRule,
  SecretFiles,
} from '../../../../automation/fix/providers/claude-code/secret-files.js';
import { tempDir } from '../../../support/tmp.js';

describe('SecretFiles (what Claude Code’s Grep and Glob must not see)', () => {
  const findsSecretFiles =
    'finds secret-named files in any case, credential content and oversized files, ' +
    'skips ignored folders, and notices changes';
  it(findsSecretFiles, async () => {
    const root = tempDir();
    const put = (rel: string, content: string) => {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), content);
    };
    put('src/ok.js', 'const token = getToken();\n'); // a secret-ish word is not a credential
    put('src/key.js', 'const k = "ghp_0123456789abcdefghijABCDEFGHIJ";\n');
    put('src/known.js', 'const k = "my-known-secret";\n');
    put('cfg/.ENV', 'A=1\n');
    put('.npmrc', 'x\n');
    put('data/huge.txt', 'x'.repeat(1_100_000));
    put('node_modules/pkg/key.js', 'const k = "ghp_0123456789abcdefghijABCDEFGHIJ";\n');
    const scan = new SecretFiles({
      root,
      secrets: ['my-known-secret'],
      skipDirs: new Set(['node_modules']),
    });
    const rel = (list: string[]) => list.map((p) => p.slice(root.length + 1)).sort();
    expect(rel(await scan.scan())).toEqual([
      '.npmrc',
      'cfg/.ENV',
      'data/huge.txt',
      'src/key.js',
      'src/known.js',
    ]);
    put('src/key.js', 'const k = process.env.KEY;\n');
    put('src/ok.js', 'const k = "AKIAABCDEFGHIJKLMNOP";\n');
    expect(rel(await scan.scan())).toEqual([
      '.npmrc',
      'cfg/.ENV',
      'data/huge.txt',
      'src/known.js',
      'src/ok.js',
    ]);
  });

  it('writes absolute-path deny rules with gitignore specials escaped', () => {
    expect(absoluteRule('Read', '/p/src/a.js')).toBe('Read(//p/src/a.js)');
    expect(absoluteRule('Read', '/p/[id]/*.js')).toBe('Read(//p/\\[id\\]/\\*.js)');
  });
});
