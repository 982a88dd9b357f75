/** Where fixes may read and write: inside PROJECT_ROOT only, never into protected places. */
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { isTestFile } from '../../check/test-files.js';
import { relativePosix, toPosix } from '../../fs/paths.js';
import { isSecretFileName } from '../../fs/secret-names.js';
import { weakening } from './test-weakening.js';

export interface SandboxOptions {
  root: string;
  /** Absolute paths fixloop owns (state dir, log dir, lock): never edited. */
  ownPaths: readonly string[];
  allowTestEdits: boolean;
  /** FIX_PROTECT: gitignore-style patterns. */
  protect: readonly string[];
  /**
   * Work orders: whether `rel` is a file of the change's own (absent at its base). New test files
   * may be written even when existing tests may not.
   */
  isNew?: (rel: string) => boolean;
  /**
   * Work orders: existing test files may gain tests (never lose or loosen one) even when
   * `allowTestEdits` is false; each write is then judged by what it changes (contentRefusal).
   */
  additiveTests?: boolean;
}

/** `abs` is the real path; `link` says the path given is itself a symbolic link. */
export type Resolved =
  | { ok: true; abs: string; rel: string; link: boolean }
  | { ok: false; reason: string };

const PROTECTED_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);
const CASE_INSENSITIVE = process.platform === 'darwin' || process.platform === 'win32';

/** Resolves paths for the editor and decides what may be read and written. */
export class Sandbox {
  private readonly realRoot: string;
  private readonly protect: Ignore;
  private readonly own: string[];

  constructor(private readonly options: SandboxOptions) {
    this.realRoot = realpathSync.native(options.root);
    this.protect = ignore().add([...options.protect]);
    // Own paths compared in the same space as resolved ones: real paths, relative to the real root.
    this.own = options.ownPaths
      .map((p) => relativePosix(this.realRoot, realpathOfNearest(resolve(options.root, p))))
      .filter((p) => p && !p.startsWith('..') && !isAbsolute(p))
      .map((p) => (CASE_INSENSITIVE ? p.toLowerCase() : p));
  }

  /** The root given (not resolved through symlinks). */
  get root(): string {
    return this.options.root;
  }

  /**
   * Resolves a path the model gave (relative to the root, or absolute) through symlinks. The
   * real target must be inside the real root: `../x`, `/etc/passwd` and a link that leads
   * outside are all refused.
   */
  resolve(input: string): Resolved {
    if (!input || input.includes('\0')) return { ok: false, reason: 'empty or invalid path' };
    const abs = isAbsolute(input) ? resolve(input) : resolve(this.options.root, input);
    // A symlink that cannot be resolved (dangling) would be written *through*: refuse it outright.
    let link = false;
    try {
      link = lstatSync(abs).isSymbolicLink();
      if (link && !existsSync(abs))
        return { ok: false, reason: `${input} is a dangling symbolic link` };
    } catch {
      /* does not exist: a new file */
    }
    const real = realpathOfNearest(abs);
    const rel = relative(this.realRoot, real);
    if (rel.startsWith('..') || isAbsolute(rel))
      return { ok: false, reason: `${input} is outside the project root` };
    return { ok: true, abs: real, rel: toPosix(rel), link };
  }

  /** Why reading `rel` is refused, or null (secrets and VCS internals stay private). */
  readRefusal(rel: string): string | null {
    if (rel === '') return null;
    // Lower case: on case-insensitive file systems (macOS, Windows) `.GIT` is `.git`.
    const parts = rel.toLowerCase().split('/');
    const vcs = parts.find((p) => PROTECTED_DIRS.has(p));
    if (vcs) return `${rel} is inside ${vcs}/, which fixes may not touch`;
    if (parts.some(isSecretFileName))
      return `${rel} is an environment or credentials file; it may hold secrets`;
    return null;
  }

  /**
   * Why a file named by an order (`--file`, `files` of POST /tasks, a split part, a job record)
   * may not be read: the rules of an edit, after resolving symbolic links; null when it may.
   */
  nameRefusal(input: string): string | null {
    const r = this.resolve(input);
    if (!r.ok) return r.reason;
    if (r.rel === '') return `${input} is the project root, not a file`;
    return this.readRefusal(r.rel) ?? this.placeRefusal(r.rel);
  }

  /** Why writing `rel` is refused, or null. */
  writeRefusal(rel: string): string | null {
    const read = this.readRefusal(rel);
    if (read) return read;
    if (rel === '') return 'the project root itself cannot be written';
    const place = this.placeRefusal(rel);
    if (place) return place;
    if (this.guardsTest(rel) && !this.options.additiveTests)
      return (
        `${rel} is a test file; fixes change the code, not the tests ` +
        '(FIX_ALLOW_TEST_EDITS=false)'
      );
    return null;
  }

  /** Why writing `after` over `before` (null: new) is refused for what it changes, or null. */
  contentRefusal(rel: string, before: string | null, after: string): string | null {
    if (before === null || !this.guardsTest(rel)) return null;
    const what = weakening(before, after);
    return what
      ? `the change ${what}; existing tests may gain tests, never lose or loosen one ` +
          '(FIX_ALLOW_TEST_EDITS=false)'
      : null;
  }

  /** Places off limits to reads of named files and to every write: fixloop's own, FIX_PROTECT. */
  private placeRefusal(rel: string): string | null {
    const mine = CASE_INSENSITIVE ? rel.toLowerCase() : rel;
    if (this.own.some((o) => mine === o || mine.startsWith(`${o}/`)))
      return `${rel} belongs to fixloop itself (state, logs or lock)`;
    if (this.protect.ignores(rel)) return `${rel} is protected by FIX_PROTECT`;
    return null;
  }

  /** `rel` is an existing test file that FIX_ALLOW_TEST_EDITS=false protects. */
  private guardsTest(rel: string): boolean {
    return !this.options.allowTestEdits && isTestFile(rel) && !this.options.isNew?.(rel);
  }
}

/** realpath of the path, or of its nearest existing ancestor joined with the rest. */
function realpathOfNearest(abs: string): string {
  const tail: string[] = [];
  let current = abs;
  for (;;) {
    try {
      // .native gives the on-disk letter case (macOS): `Math.TEST.js` resolves to `math.test.js`, a
      // test file.
      return resolve(realpathSync.native(current), ...tail.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return abs;
      tail.push(basename(current));
      current = parent;
    }
  }
}
