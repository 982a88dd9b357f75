/** Remembers the pipeline's own file writes so that the watcher can drop their events. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.js';

/** sha256 of file content, hex. */
export function contentHash(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A write is ours when the file still holds exactly what we wrote. Matching on content, not
 * just path, means a user save right after ours is still seen. Entries expire after `ttlMs`.
 */
export class SelfWrites {
  private readonly entries = new Map<string, { hashes: Set<string>; at: number }>();
  private readonly listeners: Array<(relPath: string, hash: string) => void> = [];

  constructor(private readonly root: string, private readonly clock: Clock, private readonly ttlMs = 60_000) {}

  /** Calls `fn` with the path and content hash ('deleted') of every write recorded from now on. */
  onRemember(fn: (relPath: string, hash: string) => void): void {
    this.listeners.push(fn);
  }

  /** Records that we wrote `data` (or deleted the file, with `null`) at `relPath`. */
  remember(relPath: string, data: string | Uint8Array | null): void {
    const hash = data === null ? 'deleted' : contentHash(data);
    for (const fn of this.listeners) fn(relPath, hash);
    const entry = this.entries.get(relPath);
    if (entry && this.clock.now() - entry.at < this.ttlMs) {
      entry.hashes.add(hash);
      entry.at = this.clock.now();
    } else {
      this.entries.set(relPath, { hashes: new Set([hash]), at: this.clock.now() });
    }
  }

  /** True when the file's current content (or absence) is one we wrote recently. */
  async isOwn(relPath: string): Promise<boolean> {
    return (await this.check(relPath)).own;
  }

  /**
   * Whether the file holds one of our recent writes, and, when we wrote it recently, the hash of
   * what it holds ('deleted' when absent). Files we did not write are not read.
   */
  async check(relPath: string): Promise<{ own: boolean; hash?: string }> {
    const entry = this.entries.get(relPath);
    if (!entry) return { own: false };
    if (this.clock.now() - entry.at >= this.ttlMs) {
      this.entries.delete(relPath);
      return { own: false };
    }
    let hash: string;
    try {
      hash = contentHash(await readFile(join(this.root, relPath)));
    } catch {
      hash = 'deleted';
    }
    return { own: entry.hashes.has(hash), hash };
  }
}
