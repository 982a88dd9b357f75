/**
 * The project watcher: chokidar events → filtered, debounced batches of changed and deleted
 * files.
 */
import { lstat } from 'node:fs/promises';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { toRelative } from '../fs/paths.js';
import type { Logger } from '../log/logger.js';
import { Batcher, type FileEvent } from './batcher.js';
import { changedSince, LIMITS, watchLimitMessage } from './limits.js';
import { resolveWatchOptions, type WatchInputs } from './options.js';
import type { SelfWrites } from './self-writes.js';

export interface ProjectWatcherOptions extends WatchInputs {
  debounceMs: number;
  selfWrites: SelfWrites;
  logger: Logger;
  onBatch: (batch: FileEvent[]) => void;
  /** Told once, in one sentence with the fix, when the OS runs out of watches or file handles. */
  onLimit: (message: string) => void;
  /**
   * Told when the watcher stops and is restarted (it lost what it watched), and when it is back.
   */
  onRestart?: (message: string) => void;
  /** First pause before a restart (doubled each time, at most 30 s). */
  restartMs?: number;
  /** For tests: chokidar's `watch`, or a stand-in that fails as an exhausted machine does. */
  watchFactory?: typeof chokidarWatch;
}

/**
 * After each write of ours the file is looked at again at these delays: chokidar can drop the
 * event of a save that lands within milliseconds of our write (its stat of our write already
 * sees the save), and a save right after a fix or rollback is exactly when users save.
 */
const RECHECK_MS = [250, 1000, 3000];

/** Watches PROJECT_ROOT; call `start()` then `stop()`. */
export class ProjectWatcher {
  private watcher: FSWatcher | undefined;
  private readonly batcher: Batcher;
  private readonly resolved: ReturnType<typeof resolveWatchOptions>;
  private polling = false;
  private stopped = false;
  /** Events handed to async self-write checks and not yet pushed into the batcher. */
  private inFlight = new Set<Promise<void>>();
  private readonly rechecks = new Set<NodeJS.Timeout>();
  /**
   * For files with rechecks pending: contents already accounted for (ours, the one before it, the
   * last reported), and how many rechecks remain.
   */
  private readonly known = new Map<string, { hashes: Set<string>; pending: number }>();
  ready = false;
  /** Set while the watcher is down and being restarted. */
  private down:
    | { reason: string; since: number; attempt: number; timer?: NodeJS.Timeout }
    | undefined;

  constructor(private readonly options: ProjectWatcherOptions) {
    this.resolved = resolveWatchOptions(options);
    this.batcher = new Batcher({ debounceMs: options.debounceMs, onFlush: options.onBatch });
    options.selfWrites.onRemember((rel, hash, before) => this.scheduleRechecks(rel, hash, before));
  }

  /** Resolves when the initial scan is done and events are flowing. */
  async start(): Promise<void> {
    await this.open(false);
  }

  /** Whether `relPath` would produce events (for health checks and tests). */
  isWatched(relPath: string): boolean {
    return this.resolved.isWatched(relPath);
  }

  get alive(): boolean {
    return this.ready && !this.stopped && !this.down;
  }

  /** Why the watcher is not watching, or null (for the health check). */
  get problem(): string | null {
    if (this.down) return `the file watcher is restarting after ${this.down.reason}`;
    return this.alive ? null : 'the file watcher is not running';
  }

  get mode(): 'native' | 'polling' {
    return this.polling ? 'polling' : 'native';
  }

  /** Stops watching; events not yet flushed are flushed now, so nothing is dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.down?.timer);
    for (const t of this.rechecks) clearTimeout(t);
    await this.watcher?.close();
    await Promise.all(this.inFlight);
    this.batcher.flush();
    this.batcher.dispose();
  }

  private async open(polling: boolean): Promise<void> {
    this.polling = polling;
    this.ready = false;
    const watch = this.options.watchFactory ?? chokidarWatch;
    const watcher = watch(this.options.projectRoot, {
      ...this.resolved.chokidar,
      usePolling: polling,
      interval: 500,
      binaryInterval: 1000,
    });
    this.watcher = watcher;
    watcher.on('add', (path) => this.onEvent(path, 'added'));
    watcher.on('change', (path) => this.onEvent(path, 'changed'));
    watcher.on('unlink', (path) => this.onEvent(path, 'deleted'));
    watcher.on('error', (error) => this.onError(error as NodeJS.ErrnoException));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    this.ready = true;
  }

  private onEvent(absPath: string, kind: FileEvent['kind']): void {
    if (this.stopped) return;
    const rel = toRelative(this.options.projectRoot, absPath);
    if (rel === undefined || rel === '') return;
    if (rel === '.gitignore' || rel.endsWith('/.gitignore'))
      this.resolved.matcher.invalidate(rel.slice(0, Math.max(0, rel.lastIndexOf('/'))));
    if (!this.resolved.isWatched(rel)) return;
    const check = this.isLink(absPath, kind).then(async (link) => {
      // A symbolic link is not a save: its target is watched where it lives (chokidar reports
      // links at start as if they were new files).
      if (link) return this.options.logger.debug({ path: rel }, 'dropped event of a symbolic link');
      const { own, hash } = await this.options.selfWrites.check(rel);
      if (own) return this.options.logger.debug({ path: rel }, 'dropped event of our own write');
      const known = this.known.get(rel);
      if (known && hash !== undefined) {
        if (known.hashes.has(hash)) return; // a recheck already reported this content
        known.hashes = new Set([hash]);
      }
      this.batcher.push({ path: rel, kind });
    });
    this.inFlight.add(check);
    void check.finally(() => this.inFlight.delete(check));
  }

  private async isLink(absPath: string, kind: FileEvent['kind']): Promise<boolean> {
    if (kind === 'deleted') return false;
    return lstat(absPath).then(
      (s) => s.isSymbolicLink(),
      () => false,
    );
  }

  private scheduleRechecks(rel: string, hash: string, before: string): void {
    if (this.stopped) return;
    const known = this.known.get(rel) ?? { hashes: new Set<string>(), pending: 0 };
    // Ours, and what was there before: a write still landing (or never made) is no user change.
    known.hashes = new Set([hash, before]);
    known.pending += RECHECK_MS.length;
    this.known.set(rel, known);
    for (const ms of RECHECK_MS) {
      const timer = setTimeout(() => {
        this.rechecks.delete(timer);
        const check = this.recheck(rel, known);
        this.inFlight.add(check);
        void check.finally(() => this.inFlight.delete(check));
      }, ms);
      timer.unref();
      this.rechecks.add(timer);
    }
  }

  /** Reports the file as changed when its content is none of those already accounted for. */
  private async recheck(
    rel: string,
    known: { hashes: Set<string>; pending: number },
  ): Promise<void> {
    const { own, hash } =
      this.stopped || !this.resolved.isWatched(rel)
        ? { own: true }
        : await this.options.selfWrites.check(rel);
    if (!own && !this.stopped && hash !== undefined && !known.hashes.has(hash)) {
      known.hashes = new Set([hash]);
      this.options.logger.debug(
        { path: rel },
        'a save right after our write had no watcher event; reported by the recheck',
      );
      this.batcher.push({ path: rel, kind: hash === 'deleted' ? 'deleted' : 'changed' });
    }
    if (--known.pending === 0 && this.known.get(rel) === known) this.known.delete(rel);
  }

  private onError(error: NodeJS.ErrnoException): void {
    this.options.logger.error({ err: error }, 'watcher error');
    if (this.stopped || this.down) return;
    const code = error.code ?? 'an error';
    if (!LIMITS.has(code)) return; // one unreadable file: chokidar goes on
    if (!this.polling) {
      this.options.onLimit(watchLimitMessage(code === 'ENOSPC' ? 'ENOSPC' : 'EMFILE'));
      const reopen = () => (this.stopped ? undefined : this.open(true));
      void this.watcher
        ?.close()
        .then(reopen)
        .catch((e: Error) => this.restart(e));
      return;
    }
    // Polling too ran out (file handles exhausted): this watcher may have lost what it watched.
    this.restart(error);
  }

  /** Closes and opens the watcher again after a growing pause; saves made meanwhile are found. */
  private restart(error: NodeJS.ErrnoException | Error): void {
    if (this.stopped) return;
    const reason = (error as NodeJS.ErrnoException).code ?? error.message;
    const attempt = (this.down?.attempt ?? 0) + 1;
    const since = this.down?.since ?? Date.now();
    const delay = Math.min(30_000, (this.options.restartMs ?? 1000) * 2 ** (attempt - 1));
    this.down = { reason, since, attempt };
    this.options.onRestart?.(`File watcher stopped (${reason}); restarting in ${delay / 1000} s`);
    this.down.timer = setTimeout(() => void this.reopen(since), delay);
    this.down.timer.unref();
    void this.watcher?.close().catch(() => {});
  }

  private async reopen(since: number): Promise<void> {
    try {
      await this.open(this.polling);
    } catch (error) {
      return this.restart(error as Error);
    }
    if (this.stopped || !this.down) return;
    this.down = undefined;
    const watched = this.watcher?.getWatched() ?? {};
    const missed = await changedSince(watched, since, this.options.projectRoot, (rel) =>
      this.resolved.isWatched(rel),
    );
    for (const path of missed) this.batcher.push({ path, kind: 'changed' });
    this.options.onRestart?.(
      `File watcher restarted; ${missed.length} file(s) saved meanwhile are checked`,
    );
  }
}
