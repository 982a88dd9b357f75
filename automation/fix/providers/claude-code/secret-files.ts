/**
 * Files Claude Code's Grep and Glob must not see. fixloop's hook is asked about the folder a Grep
 * searches, not the files it opens, so such files become Claude Code deny rules instead: files
 * named like secret stores (`.env*`, `.npmrc`, … in any case) and files whose content holds a
 * credential (or that are too large to check). Content is read again only when size or mtime
 * change.
 */
import type { Dir } from 'node:fs';
import { opendir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isSecretFileName } from '../../../fs/secret-names.js';
import { containsSecret } from '../../../redact.js';
import { MAX_FILE_BYTES } from '../../safety/limits.js';

export interface SecretFilesOptions {
  root: string;
  secrets: readonly string[];
  /** Folder names not walked (denied to Claude Code as a whole). */
  skipDirs: ReadonlySet<string>;
}

/** Finds the files to hide, caching what it read across attempts. */
export class SecretFiles {
  private readonly cache = new Map<string, { key: string; hide: boolean }>();

  constructor(private readonly options: SecretFilesOptions) {}

  /** Absolute paths of the files to hide, in one walk of the project. */
  async scan(): Promise<string[]> {
    const hidden: string[] = [];
    const seen = new Set<string>();
    const walk = async (dir: string): Promise<void> => {
      let entries: Dir;
      try {
        entries = await opendir(dir);
      } catch {
        return; // unreadable: Claude Code cannot read it either
      }
      for await (const e of entries) {
        const abs = join(dir, e.name);
        if (e.isDirectory()) {
          // exact case, as Claude Code's deny rules match
          if (!this.options.skipDirs.has(e.name)) await walk(abs);
        } else if (e.isFile()) {
          seen.add(abs);
          if (await this.hides(abs, e.name)) hidden.push(abs);
        }
        // Symbolic links are not followed (nor are they by Grep, which uses ripgrep's defaults).
      }
    };
    await walk(this.options.root);
    for (const abs of this.cache.keys()) if (!seen.has(abs)) this.cache.delete(abs);
    return hidden;
  }

  private async hides(abs: string, name: string): Promise<boolean> {
    if (isSecretFileName(name)) return true;
    const s = await stat(abs).catch(() => undefined);
    if (!s) return false;
    const key = `${s.size}:${s.mtimeMs}`;
    const cached = this.cache.get(abs);
    if (cached?.key === key) return cached.hide;
    let hide = s.size > MAX_FILE_BYTES; // too large to check: hidden rather than trusted
    if (!hide) {
      const text = await readFile(abs, 'utf8').catch(() => '');
      hide = containsSecret(text, this.options.secrets);
    }
    this.cache.set(abs, { key, hide });
    return hide;
  }
}

/**
 * A Claude Code permission rule for one absolute path (`//` marks an absolute path; gitignore
 * specials escaped).
 */
export const absoluteRule = (tool: 'Read' | 'Edit', abs: string) =>
  `${tool}(/${abs.replace(/[\\*?[\]{}!#]/g, '\\$&')})`;
