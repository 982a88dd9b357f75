/**
 * Copies of a commit are whole: the export of HEAD and a work order's worktree get their
 * submodules' files from the checkout's own clones (no network), a commit that cannot be
 * reproduced makes the baseline unavailable (never a failure blamed on the save, never one called
 * known), and Git LFS pointers are not taken for content. Real git, real vitest.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workingTreeChecker } from '../../automation/app/checker.js';
import { systemClock } from '../../automation/clock.js';
import { loadConfig } from '../../automation/config/load.js';
import { createGit } from '../../automation/git/git.js';
import { Worktrees } from '../../automation/git/worktree.js';
import { silentLogger } from '../../automation/log/logger.js';
import { StateStore } from '../../automation/store/store.js';
import { git } from '../support/git.js';
import { tempDir } from '../support/tmp.js';

const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

function judgeFor(root: string) {
  const env = { PATH: process.env.PATH ?? '', HOME: root, CI: 'true' };
  const config = loadConfig({ cwd: root, env: { ...env, XDG_CACHE_HOME: tempDir('cache-') } });
  const store = new StateStore({ file: config.stateFile, lockFile: config.lockFile });
  return workingTreeChecker(config, { store, clock: systemClock, logger: silentLogger });
}

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/**
 * A vitest project whose tests import `vendor/units` (a submodule); one test already fails at
 * HEAD. Returns the project and the submodule's own repository.
 */
function projectWithSubmodule(): { root: string; lib: string } {
  const lib = tempDir('fixloop-units-');
  write(lib, { 'index.js': 'export const cm = (m) => m * 100;\n' });
  git(lib, 'init', '-q', '-b', 'main');
  git(lib, 'add', '-A');
  git(lib, 'commit', '-q', '-m', 'units');
  const root = tempDir('fixloop-super-');
  write(root, {
    'package.json': JSON.stringify({ type: 'module', scripts: { test: 'vitest run' } }),
    'src/size.js': "import { cm } from '../vendor/units/index.js';\nexport const size = cm;\n",
    'test/size.test.js':
      "import { expect, it } from 'vitest';\nimport { size } from '../src/size.js';\n\n" +
      "it('measures a metre', () => {\n  expect(size(1)).toBe(100);\n});\n" +
      "it('measures in inches (a failure already at HEAD)', () => {\n  expect(size(1)).toBe(39);\n});\n",
    '.gitignore': 'node_modules\n',
  });
  symlinkSync(NODE_MODULES, join(root, 'node_modules'));
  git(root, 'init', '-q', '-b', 'main');
  git(root, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', lib, 'vendor/units');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'initial');
  return { root, lib };
}

const related = { scope: 'related' as const, files: ['src/size.js'] };

describe('whole copies of a commit', () => {
  it('the export of HEAD has its submodules: a failure already at HEAD stays known', async () => {
    const { root } = projectWithSubmodule();
    writeFileSync(
      join(root, 'src/size.js'),
      `${readFileSync(join(root, 'src/size.js'))}// saved\n`,
    );
    const verdict = await judgeFor(root).check(related);
    expect(verdict).toMatchObject({ status: 'passed', failures: [] });
    expect(verdict.known_failures.map((f) => f.name)).toEqual([
      'measures in inches (a failure already at HEAD)',
    ]);
    expect(verdict.baseline_error).toBeUndefined();
  }, 60_000);

  it('a submodule commit the checkout lacks: the baseline is unavailable, said why', async () => {
    const { root, lib } = projectWithSubmodule();
    // HEAD pins a submodule commit that the checkout's clone has never fetched.
    writeFileSync(join(lib, 'index.js'), 'export const cm = (m) => m * 100;\n// v2\n');
    git(lib, 'commit', '-q', '-am', 'v2');
    const v2 = git(lib, 'rev-parse', 'HEAD').trim();
    git(root, 'update-index', '--cacheinfo', `160000,${v2},vendor/units`);
    git(root, 'commit', '-q', '-m', 'bump units');
    const verdict = await judgeFor(root).check(related);
    expect(verdict.status).toBe('failed');
    expect(verdict.failures.map((f) => f.name)).toEqual([
      'measures in inches (a failure already at HEAD)',
    ]);
    expect(verdict.baseline_error).toMatch(
      /the submodule vendor\/units has no commit [0-9a-f]{7} in your checkout \(run: git submodule update vendor\/units\)/,
    );
  }, 60_000);

  it("a work order's worktree has its submodules, and leaves nothing behind", async () => {
    const { root } = projectWithSubmodule();
    const worktrees = new Worktrees({
      git: createGit({ PATH: process.env.PATH ?? '' }),
      repoRoot: root,
      dir: tempDir('fixloop-worktrees-'),
    });
    const head = git(root, 'rev-parse', 'HEAD').trim();
    const path = await worktrees.create('task_0000beef', head);
    expect(readFileSync(join(path, 'vendor/units/index.js'), 'utf8')).toContain('m * 100');
    expect(git(path, 'status', '--porcelain')).toBe('');
    await worktrees.remove('task_0000beef');
    expect(existsSync(path) || existsSync(`${path}.modules`)).toBe(false);
    expect(git(root, 'status', '--porcelain')).toBe('');
    expect(git(join(root, 'vendor/units'), 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('Git LFS pointers in the export make the baseline unavailable', async () => {
    const root = tempDir('fixloop-lfs-');
    write(root, {
      'package.json': JSON.stringify({ type: 'module', scripts: { test: 'vitest run' } }),
      '.gitattributes': '*.bin filter=lfs diff=lfs merge=lfs -text\n',
      // What git stores for an LFS file: its pointer (git-lfs is not installed here).
      'data/model.bin':
        'version https://git-lfs.github.com/spec/v1\noid sha256:' +
        `${'a'.repeat(64)}\nsize 1048576\n`,
      'src/model.js':
        "import { readFileSync } from 'node:fs';\n" +
        "export const bytes = () => readFileSync(new URL('../data/model.bin', import.meta.url)).length;\n",
      'test/model.test.js':
        "import { expect, it } from 'vitest';\nimport { bytes } from '../src/model.js';\n\n" +
        "it('loads the model', () => {\n  expect(bytes()).toBe(1048576);\n});\n",
      '.gitignore': 'node_modules\n',
    });
    symlinkSync(NODE_MODULES, join(root, 'node_modules'));
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'initial');
    writeFileSync(join(root, 'src/model.js'), `${readFileSync(join(root, 'src/model.js'))}// x\n`);
    const verdict = await judgeFor(root).check({ scope: 'related', files: ['src/model.js'] });
    expect(verdict.status).toBe('failed');
    expect(verdict.known_failures).toEqual([]);
    expect(verdict.baseline_error).toMatch(
      /data\/model\.bin is only Git LFS pointers in the copy \(install git-lfs and run git lfs pull\)/,
    );
  }, 60_000);
});
