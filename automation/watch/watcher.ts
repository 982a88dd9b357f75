/**
 * The project watcher: chokidar events → filtered, debounced batches of changed and deleted
 * files.
 */
import { type FSWatcher, watch } from 'chokidar';
import { toRelative } from '../fs/paths.js';
import type { Logger } from '../log/logger.js';
import { Batcher, type FileEvent } from './batcher.js';
import { resolveWatchOptions, type WatchInputs } from './options.js';
import type { SelfWrites } from './self-writes.js';

export interface ProjectWatcherOptions extends WatchInputs {
  debounceMs: number;
  selfWrites: SelfWrites;
  logger: Logger;
  onBatch: (batch: FileEvent[]) => void;
  /** Told once, in one sentence with the fix, when the OS runs out of watches or file handles. */
  onLimit: (message: string) => void;
}

/** Message for ENOSPC/EMFILE from the OS's file watching. */
export function watchLimitMessage(code: string): string {
  return code === 'EMFILE'
    ? 'The OS ran out of file handles while watching (EMFILE); ' +
        'raise the limit (ulimit -n 65536) or add big directories to WATCH_IGNORE. ' +
        'Falling back to polling.'
    : 'The OS ran out of file watches (ENOSPC, the inotify limit); ' +
        'raise it with "sudo sysctl fs.inotify.max_user_watches=524288" ' +
        '(and persist it in /etc/sysctl.conf) or add big directories to WATCH_IGNORE. ' +
        'Falling back to polling.';
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
    return this.ready && !this.stopped;
  }

  get mode(): 'native' | 'polling' {
    return this.polling ? 'polling' : 'native';
  }

  /** Stops watching; events not yet flushed are flushed now, so nothing is dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.rechecks) clearTimeout(t);
    await this.watcher?.close();
    await Promise.all(this.inFlight);
    this.batcher.flush();
    this.batcher.dispose();
  }

  private async open(polling: boolean): Promise<void> {
    this.polling = polling;
    this.ready = false;
    const watcher = watch(this.options.projectRoot, {
      ...this.resolved.chokidar,
      usePolling: polling,
      interval: 500,
      binaryInterval: 1000,
    });
    this.watcher = watcher;
    watcher.on('add', (path) => this.onEvent(path, 'changed'));
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
    const check = this.options.selfWrites.check(rel).then(({ own, hash }) => {
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
    if ((error.code === 'ENOSPC' || error.code === 'EMFILE') && !this.polling && !this.stopped) {
      this.options.onLimit(watchLimitMessage(error.code));
      void this.watcher?.close().then(() => (this.stopped ? undefined : this.open(true)));
    }
  }
}
