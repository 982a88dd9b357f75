/**
 * The run at HEAD tests HEAD: an editable install or a workspace link back into the checkout
 * would make it import the working tree, and every break would be "already there". Such links
 * are pointed at the export; what cannot be redirected is seen, and the verdict says the
 * baseline could not be checked instead of calling a break known. Real runners, real venvs.
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workingTreeChecker } from '../../automation/app/checker.js';
import { systemClock } from '../../automation/clock.js';
import { loadConfig } from '../../automation/config/load.js';
import { silentLogger } from '../../automation/log/logger.js';
import { StateStore } from '../../automation/store/store.js';
import { commitAll } from '../support/git.js';
import { makeProject } from '../support/project.js';
import { tempDir } from '../support/tmp.js';

const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

/** The working tree's checker as the daemon wires it, with `path` first on PATH. */
function judgeFor(root: string, path?: string) {
  const PATH = [path, process.env.PATH].filter(Boolean).join(':');
  const env = { PATH, HOME: root, CI: 'true', PYTHONDONTWRITEBYTECODE: '1' };
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

/** A src-layout package `shapes` with two tests, and a venv (ignored by git) that sees pytest. */
function pythonProject(): { root: string; bin: string; site: string } {
  const root = tempDir('fixloop-editable-');
  write(root, {
    'src/shapes/__init__.py': 'def area(w, h):\n    return w * h\n',
    'tests/test_area.py':
      'from shapes import area\n\n\ndef test_area():\n    assert area(2, 3) == 6\n\n\n' +
      'def test_square():\n    assert area(4, 4) == 16\n',
    'pyproject.toml':
      '[project]\nname = "shapes"\nversion = "0.1.0"\n\n' +
      '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
    '.gitignore': '.venv\n',
  });
  execFileSync('python3', ['-m', 'venv', '--system-site-packages', '--without-pip', '.venv'], {
    cwd: root,
  });
  const bin = join(root, '.venv/bin');
  const site = execFileSync(
    join(bin, 'python'),
    ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'],
    { encoding: 'utf8' },
  ).trim();
  return { root, bin, site };
}

const breakArea = (root: string) =>
  writeFileSync(join(root, 'src/shapes/__init__.py'), 'def area(w, h):\n    return w + h\n');
const related = { scope: 'related' as const, files: ['tests/test_area.py'] };

describe('the run at HEAD imports HEAD', () => {
  it('an editable install (a .pth into src/) is pointed at the export: a break is yours', async () => {
    const { root, bin, site } = pythonProject();
    // What `pip install -e .` writes for a src layout with setuptools.
    writeFileSync(join(site, '__editable__.shapes-0.1.0.pth'), `${join(root, 'src')}\n`);
    commitAll(root);
    breakArea(root);
    const verdict = await judgeFor(root, bin).check(related);
    expect(verdict.status).toBe('failed');
    expect(verdict.failures.map((f) => f.name).sort()).toEqual(['test_area', 'test_square']);
    expect(verdict.known_failures).toEqual([]);
    expect(verdict.baseline_error).toBeUndefined();
  }, 60_000);

  it('an import hook fixloop cannot redirect: the baseline is unavailable, never known', async () => {
    const { root, bin, site } = pythonProject();
    // A finder of another kind (as hatchling's `editables` installs), mapping into the checkout.
    writeFileSync(
      join(site, '_shapes_finder.py'),
      'import importlib.util, sys\n\nclass Finder:\n' +
        '    @classmethod\n    def find_spec(cls, name, path=None, target=None):\n' +
        "        if name != 'shapes':\n            return None\n" +
        `        return importlib.util.spec_from_file_location(name, ${JSON.stringify(
          join(root, 'src/shapes/__init__.py'),
        )})\n\nsys.meta_path.append(Finder)\n`,
    );
    writeFileSync(join(site, '_shapes.pth'), 'import _shapes_finder\n');
    commitAll(root);
    breakArea(root);
    const verdict = await judgeFor(root, bin).check(related);
    expect(verdict.status).toBe('failed');
    expect(verdict.failures).toHaveLength(2);
    expect(verdict.known_failures).toEqual([]);
    expect(verdict.baseline_error).toMatch(
      /read src\/shapes\/__init__\.py from your working tree instead of the commit/,
    );
  }, 60_000);

  it('a workspace link in node_modules is pointed at the export: a break is yours', async () => {
    const root = tempDir('fixloop-workspace-');
    write(root, {
      'package.json': JSON.stringify({
        private: true,
        type: 'module',
        workspaces: ['packages/*'],
        scripts: { test: 'vitest run' },
      }),
      'packages/core/package.json': JSON.stringify({
        name: '@demo/core',
        type: 'module',
        main: 'index.js',
      }),
      'packages/core/index.js': "export const greet = (n) => 'hello ' + n;\n",
      'packages/web/page.test.js':
        "import { expect, it } from 'vitest';\nimport { greet } from '@demo/core';\n\n" +
        "it('greets on the page', () => {\n  expect(greet('ada')).toBe('hello ada');\n});\n",
    });
    // As npm installs a workspace: its packages linked (relatively) into the root node_modules.
    const modules = join(root, 'node_modules');
    mkdirSync(join(modules, '@demo'), { recursive: true });
    for (const name of readdirSync(NODE_MODULES))
      if (name !== '@demo') symlinkSync(join(NODE_MODULES, name), join(modules, name));
    symlinkSync('../../packages/core', join(modules, '@demo/core'));
    commitAll(root);
    writeFileSync(join(root, 'packages/core/index.js'), "export const greet = (n) => 'hi ' + n;\n");
    const verdict = await judgeFor(root).check({
      scope: 'files',
      files: ['packages/web/page.test.js'],
    });
    expect(verdict.status).toBe('failed');
    expect(verdict.failures.map((f) => f.name)).toEqual(['greets on the page']);
    expect(verdict.known_failures).toEqual([]);
    expect(verdict.baseline_error).toBeUndefined();
  }, 60_000);

  it('a committed link into the checkout is seen: the baseline is unavailable', async () => {
    const root = tempDir('fixloop-absolute-');
    write(root, {
      'package.json': JSON.stringify({ type: 'module', scripts: { test: 'vitest run' } }),
      'src/math.js': 'export const add = (a, b) => a + b;\n',
      'test/math.test.js':
        "import { expect, it } from 'vitest';\nimport { add } from '../lib/math.js';\n\n" +
        "it('adds', () => {\n  expect(add(2, 3)).toBe(5);\n});\n",
    });
    symlinkSync(join(root, 'src'), join(root, 'lib')); // an absolute link, committed as such
    symlinkSync(NODE_MODULES, join(root, 'node_modules'));
    commitAll(root);
    writeFileSync(join(root, 'src/math.js'), 'export const add = (a, b) => a - b;\n');
    const verdict = await judgeFor(root).check({ scope: 'related', files: ['src/math.js'] });
    expect(verdict.status).toBe('failed');
    expect(verdict.known_failures).toEqual([]);
    expect(verdict.baseline_error).toMatch(/read src\/math\.js from your working tree/);
  }, 60_000);
  it("the run at HEAD keeps vitest's module cache to itself: the developer's is untouched", async () => {
    const root = makeProject('vitest-project');
    const cache = join(root, 'node_modules/.vitest-cache');
    mkdirSync(cache); // the developer's own, as vitest 5 makes it
    commitAll(root);
    writeFileSync(join(root, 'src/math.js'), 'export const add = (a, b) => a - b;\n');
    const verdict = await judgeFor(root).check({ scope: 'related', files: ['src/math.js'] });
    expect(verdict.status).toBe('failed');
    expect(verdict.known_failures).toEqual([]);
    expect(verdict.baseline_error).toBeUndefined();
    // Whatever vitest wrote here, it wrote for the developer's root only.
    const roots = readdirSync(cache)
      .filter((name) => name.startsWith('_manifest-'))
      .map((name) => JSON.parse(readFileSync(join(cache, name), 'utf8')).root);
    expect(roots.filter((r) => r !== realpathSync(root))).toEqual([]);
  }, 60_000);
});
