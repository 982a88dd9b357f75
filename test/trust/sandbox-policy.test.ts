/**
 * A sandbox policy as bubblewrap arguments and as a macOS sandbox-exec profile (no macOS on CI:
 * the profile text is what is checked), and the home folders kept for toolchains.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bwrapArgs } from '../../automation/sandbox/bwrap.js';
import {
  pathEnvironments,
  type SandboxPolicy,
  toolchainsUnder,
} from '../../automation/sandbox/policy.js';
import { seatbeltProfile } from '../../automation/sandbox/seatbelt.js';
import { tempDir } from '../support/tmp.js';

const policy = (over: Partial<SandboxPolicy> = {}): SandboxPolicy => ({
  writable: ['/work/wt/task_1', '/tmp/fixloop-1-abc'],
  readable: ['/home/dev/project', '/opt/fixloop'],
  hidden: ['/home/dev/project/state', '/home/dev/project/logs'],
  hiddenFiles: ['/home/dev/project/.env'],
  home: '/home/dev',
  homeKept: ['/home/dev/.npm', '/home/dev/.cache/pip'],
  homeWritable: [],
  tmp: '/home/dev/.cache/fixloop/p-1/sandbox/tmp',
  network: 'deny',
  ...over,
});

/** The pairs after each `flag` in `args`. */
const pairsAfter = (args: string[], flag: string) =>
  args.flatMap((a, i) => (a === flag ? [[args[i + 1], args[i + 2]]] : []));

describe('bubblewrap arguments', () => {
  it('reads everything, writes the tree, hides home, state and .env, no network', () => {
    const args = bwrapArgs(policy(), '/work/wt/task_1/packages/a');
    expect(args.slice(0, 6)).toEqual([
      '--new-session',
      '--die-with-parent',
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-net',
    ]);
    expect(pairsAfter(args, '--ro-bind')[0]).toEqual(['/', '/']);
    // Home and /tmp are empty, then what is kept is bound back in: the order matters.
    const at = (flag: string, path: string) =>
      args.findIndex((a, i) => a === flag && args[i + 1] === path);
    expect(at('--tmpfs', '/tmp')).toBeGreaterThan(0);
    expect(at('--tmpfs', '/home/dev')).toBeGreaterThan(at('--tmpfs', '/tmp'));
    expect(at('--ro-bind-try', '/home/dev/.npm')).toBeGreaterThan(at('--tmpfs', '/home/dev'));
    expect(at('--ro-bind-try', '/home/dev/project')).toBeGreaterThan(at('--tmpfs', '/home/dev'));
    expect(pairsAfter(args, '--bind')).toEqual([
      ['/work/wt/task_1', '/work/wt/task_1'],
      ['/tmp/fixloop-1-abc', '/tmp/fixloop-1-abc'],
      [policy().tmp, policy().tmp],
    ]);
    expect(at('--tmpfs', '/home/dev/project/state')).toBeGreaterThan(at('--bind', policy().tmp));
    expect(pairsAfter(args, '--ro-bind')).toContainEqual(['/dev/null', '/home/dev/project/.env']);
    expect(pairsAfter(args, '--setenv')).toEqual([['TMPDIR', policy().tmp]]);
    expect(args.slice(-2)).toEqual(['--chdir', '/work/wt/task_1/packages/a']);
  });

  it('keeps the network when allowed', () => {
    expect(bwrapArgs(policy({ network: 'allow' }), '/w')).not.toContain('--unshare-net');
  });
});

describe('sandbox-exec profile (macOS)', () => {
  it('denies writes but the tree and temp folders, home reads but what is kept', () => {
    const text = seatbeltProfile(policy());
    expect(text.split('\n').slice(0, 3)).toEqual([
      '(version 1)',
      '(allow default)',
      '(deny file-write*)',
    ]);
    expect(text).toContain(
      '(allow file-write* (subpath "/work/wt/task_1") (subpath "/tmp/fixloop-1-abc") ' +
        `(subpath "${policy().tmp}") (subpath "/private/tmp") (subpath "/private/var/folders")`,
    );
    expect(text).toContain('(deny file-read* (subpath "/home/dev"))');
    expect(text).toMatch(/\(allow file-read\* \(subpath "\/home\/dev\/\.npm"\)/);
    expect(text).toContain(
      '(deny file-read* file-write* (subpath "/home/dev/project/state") ' +
        '(subpath "/home/dev/project/logs"))',
    );
    expect(text).toContain('(deny file-read* file-write* (literal "/home/dev/project/.env"))');
    expect(text).toContain('(deny network*)');
    expect(text).toContain('(remote unix-socket (path-prefix "/tmp/fixloop-1-abc"))');
    // The hidden folders come after what is allowed: the last matching rule wins.
    expect(text.indexOf('project/state')).toBeGreaterThan(text.indexOf('(allow file-read*'));
  });

  it('quotes paths, and allows the network when asked', () => {
    const text = seatbeltProfile(policy({ writable: ['/w/a "b"\\c'], network: 'allow' }));
    expect(text).toContain('(subpath "/w/a \\"b\\"\\\\c")');
    expect(text).not.toContain('network');
  });
});

describe('toolchains under the home folder', () => {
  it('keeps the top folder of a version manager, only the entry under ~/.local', () => {
    const path = [
      '/usr/bin',
      '/home/dev/.nvm/versions/node/v22/bin',
      '/home/dev/.pyenv/shims',
      '/home/dev/.local/bin',
    ].join(':');
    expect(toolchainsUnder('/home/dev', path)).toEqual([
      '/home/dev/.nvm',
      '/home/dev/.pyenv',
      '/home/dev/.local/bin',
    ]);
  });

  it('keeps a virtualenv under /tmp on PATH whole, with the Python it was made from', () => {
    const tmp = tempDir();
    const dirs = ['venv/bin', 'base/bin', 'tools', 'conda/bin'].map((d) => join(tmp, d));
    for (const d of dirs) mkdirSync(d, { recursive: true });
    writeFileSync(join(tmp, 'venv/pyvenv.cfg'), `home = ${join(tmp, 'base/bin')}\n`);
    const env = {
      PATH: [join(tmp, 'venv/bin'), '/usr/bin', join(tmp, 'tools'), join(tmp, 'gone')].join(':'),
      CONDA_PREFIX: join(tmp, 'conda'),
    };
    expect(pathEnvironments([tmp], env)).toEqual([
      join(tmp, 'venv'),
      join(tmp, 'base'),
      join(tmp, 'tools'),
      join(tmp, 'conda/bin'),
    ]);
    expect(pathEnvironments(['/nowhere'], env)).toEqual([]);
  });
});
