/** Remembers the pipeline's own file writes so that the watcher can drop their events. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { contentHash } from '../fs/hash.js';

/** How long the content before our latest write still counts as ours (the write is landing). */
export const LANDING_MS = 2000;

/** What a write listener learns: the path, our content's hash, and the file's hash just before. */
export type WriteListener = (relPath: string, hash: string, before: string) => void;

/**
 * A write is ours when the file holds exactly our latest write (or, for a moment, the one before
 * it, while the latest lands). Only the latest counts: a user who saves an older version we once
 * wrote (undo after a rollback) is seen. Matching on content, not path, means a user save right
 * after ours is seen too. Entries expire after `ttlMs`.
 */
export class SelfWrites {
  private readonly entries = new Map<string, { latest: string; previous?: string; at: number }>();
  private readonly listeners: WriteListener[] = [];

  constructor(
    private readonly root: string,
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
  ) {}

  /** Calls `fn` for every write recorded from now on. */
  onRemember(fn: WriteListener): void {
    this.listeners.push(fn);
  }

  /** Records that we are about to write `data` (or delete the file, with `null`) at `relPath`. */
  remember(relPath: string, data: string | Uint8Array | null): void {
    const hash = data === null ? 'deleted' : contentHash(data);
    const now = this.clock.now();
    const entry = this.entries.get(relPath);
    const previous = entry && now - entry.at < LANDING_MS ? entry.latest : undefined;
    this.entries.set(relPath, { latest: hash, previous, at: now });
    if (this.listeners.length) {
      const before = this.hashNow(relPath);
      for (const fn of this.listeners) fn(relPath, hash, before);
    }
  }

  /** True when the file's current content (or absence) is our latest write. */
  async isOwn(relPath: string): Promise<boolean> {
    return (await this.check(relPath)).own;
  }

  /**
   * Whether the file holds our latest write, and, when we wrote it recently, the hash of what it
   * holds ('deleted' when absent). Files we did not write are not read.
   */
  async check(relPath: string): Promise<{ own: boolean; hash?: string }> {
    const entry = this.entries.get(relPath);
    if (!entry) return { own: false };
    const age = this.clock.now() - entry.at;
    if (age >= this.ttlMs) {
      this.entries.delete(relPath);
      return { own: false };
    }
    let hash: string;
    try {
      hash = contentHash(await readFile(join(this.root, relPath)));
    } catch {
      hash = 'deleted';
    }
    return { own: hash === entry.latest || (hash === entry.previous && age < LANDING_MS), hash };
  }

  private hashNow(relPath: string): string {
    try {
      return contentHash(readFileSync(join(this.root, relPath)));
    } catch {
      return 'deleted';
    }
  }
}
