import type { Stats } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveWatchOptions } from '../../automation/watch/options.js';

const ROOT = '/proj';
const stats = (dir: boolean) => ({ isDirectory: () => dir, isFile: () => !dir }) as Stats;

function resolve(gitignores: Record<string, string>, extra: string[] = []) {
  return resolveWatchOptions({
    projectRoot: ROOT,
    ownDirs: ['/proj/state', '/proj/logs', '/elsewhere/state'],
    ownFiles: ['/proj/custom-state.json'],
    extensions: ['.ts', '.js', '.py'],
    extraIgnore: extra,
    readGitignore: (dir) => gitignores[dir],
  });
}

describe('resolveWatchOptions', () => {
  const gitignores = {
    '': 'node_modules/\n*.gen.ts\nbuild-out/\n/secret.ts\n!keep.gen.ts\n',
    'packages/a': 'fixtures/\nlocal-only.ts\n',
    'packages/a/src': '!local-only.ts\n',
  };
  const { chokidar, isWatched } = resolve(gitignores, ['docs/**', 'tmp-*']);
  const ignored = chokidar.ignored as (p: string, s?: Stats) => boolean;

  it('sets the chokidar basics', () => {
    expect(chokidar).toMatchObject({ ignoreInitial: true, followSymlinks: false, atomic: true });
  });

  it('prunes always-ignored and own directories on the path-only call', () => {
    for (const dir of [
      '.git',
      'node_modules',
      'packages/a/node_modules',
      'dist',
      'coverage',
      'build',
      '__pycache__',
      'state',
      'logs',
    ]) {
      expect(ignored(`${ROOT}/${dir}`), dir).toBe(true);
    }
    expect(ignored('/proj/custom-state.json', stats(false))).toBe(true);
    expect(ignored('/outside/file.ts')).toBe(true);
    expect(ignored(ROOT)).toBe(false);
  });

  it('ignores lock, temp and editor files', () => {
    for (const f of [
      'state/app_state.json.lock',
      'src/.a.ts.123.fixloop-tmp',
      'src/a.ts~',
      'src/.#a.ts',
      'src/.a.ts.swp',
      'src/4913',
      'x.tmp',
    ]) {
      expect(ignored(`${ROOT}/${f}`, stats(false)), f).toBe(true);
    }
  });

  it('applies the root .gitignore, including negation and anchored patterns', () => {
    expect(isWatched('src/a.ts')).toBe(true);
    expect(isWatched('src/a.gen.ts')).toBe(false);
    expect(isWatched('src/keep.gen.ts')).toBe(true);
    expect(isWatched('secret.ts')).toBe(false);
    expect(isWatched('src/secret.ts')).toBe(true);
    expect(isWatched('build-out/x.ts')).toBe(false);
    // a dir-only pattern prunes the directory once stats say it is one, before it is walked
    expect(ignored('/proj/build-out')).toBe(false);
    expect(ignored('/proj/build-out', stats(true))).toBe(true);
    // a pattern that ignores whatever the type: pruned on the path-only call
    expect(ignored('/proj/src/x.gen.ts')).toBe(true);
  });

  it('applies nested .gitignore files relative to their directory, deeper ones overriding', () => {
    expect(isWatched('packages/a/fixtures/f.ts')).toBe(false);
    expect(ignored('/proj/packages/a/fixtures', stats(true))).toBe(true);
    expect(isWatched('fixtures/f.ts')).toBe(true); // the nested rule does not apply at the root
    expect(isWatched('packages/a/local-only.ts')).toBe(false);
    expect(isWatched('packages/a/src/local-only.ts')).toBe(true); // re-included deeper
    expect(isWatched('packages/b/local-only.ts')).toBe(true);
  });

  it('applies WATCH_IGNORE patterns and the extension list', () => {
    expect(isWatched('docs/guide/x.ts')).toBe(false);
    expect(isWatched('tmp-a.ts')).toBe(false);
    expect(isWatched('README.md')).toBe(false);
    expect(isWatched('scripts/run.py')).toBe(true);
    expect(ignored('/proj/README.md', stats(false))).toBe(true);
    // directories are not filtered by extension
    expect(ignored('/proj/docs-like-dir', stats(true))).toBe(false);
    expect(isWatched('.gitignore')).toBe(false);
    expect(ignored('/proj/.gitignore', stats(false))).toBe(false); // seen, so its rules reload
  });
});
