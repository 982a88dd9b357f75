/**
 * Gitignore matching for a whole tree: the root's and every nested `.gitignore`, plus extra
 * patterns.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IndexedRules } from './indexed-rules.js';

/**
 * Reads a directory's `.gitignore` (relative dir, '' for the root); undefined when there is none.
 */
export type ReadGitignore = (relDir: string) => string | undefined;

/** Reads real `.gitignore` files under `root`. */
export function gitignoreReader(root: string): ReadGitignore {
  return (relDir) => {
    try {
      return readFileSync(join(root, relDir, '.gitignore'), 'utf8');
    } catch {
      return undefined;
    }
  };
}

/**
 * Answers "is this path ignored?" the way git does: rules of each directory's `.gitignore` apply
 * to paths below it, deeper files override shallower ones (including `!` re-includes), and
 * nothing below an ignored directory is seen. Paths are relative to the root, with `/`.
 */
export class GitignoreMatcher {
  private readonly perDir = new Map<string, IndexedRules | null>();
  private readonly extra: IndexedRules;

  constructor(
    private readonly read: ReadGitignore,
    extraPatterns: readonly string[] = [],
  ) {
    this.extra = new IndexedRules(extraPatterns.join('\n'));
  }

  /** Forgets a directory's cached rules (its `.gitignore` changed). */
  invalidate(relDir: string): void {
    this.perDir.delete(relDir);
  }

  /**
   * True when `relPath` (a directory when `isDir`) is ignored, by itself or through an ancestor.
   */
  ignores(relPath: string, isDir: boolean): boolean {
    if (relPath === '' || relPath === '.') return false;
    const parts = relPath.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (this.ignoresSelf(parts.slice(0, i), true)) return true;
    }
    return this.ignoresSelf(parts, isDir);
  }

  /** Like `ignores`, assuming the ancestors were already checked (chokidar prunes ignored dirs). */
  ignoresSelf(parts: readonly string[], isDir: boolean): boolean {
    const full = parts.join('/') + (isDir ? '/' : '');
    let verdict = this.extra.test(full);
    let ignored = verdict.ignored;
    for (let depth = 0; depth < parts.length; depth++) {
      const dir = parts.slice(0, depth).join('/');
      const rules = this.rulesFor(dir);
      if (!rules) continue;
      verdict = rules.test(parts.slice(depth).join('/') + (isDir ? '/' : ''));
      if (verdict.ignored) ignored = true;
      else if (verdict.unignored) ignored = false;
    }
    return ignored;
  }

  private rulesFor(relDir: string): IndexedRules | null {
    let rules = this.perDir.get(relDir);
    if (rules === undefined) {
      const text = this.read(relDir);
      rules = text === undefined ? null : new IndexedRules(text);
      this.perDir.set(relDir, rules);
    }
    return rules;
  }
}
