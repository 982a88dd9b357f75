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

  constructor(private readonly root: string, private readonly clock: Clock, private readonly ttlMs = 60_000) {}

  /** Records that we wrote `data` (or deleted the file, with `null`) at `relPath`. */
  remember(relPath: string, data: string | Uint8Array | null): void {
    const hash = data === null ? 'deleted' : contentHash(data);
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
    const entry = this.entries.get(relPath);
    if (!entry) return false;
    if (this.clock.now() - entry.at >= this.ttlMs) {
      this.entries.delete(relPath);
      return false;
    }
    let hash: string;
    try {
      hash = contentHash(await readFile(join(this.root, relPath)));
    } catch {
      hash = 'deleted';
    }
    return entry.hashes.has(hash);
  }
}
