/** The project watcher: chokidar events → filtered, debounced batches of changed and deleted files. */
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../log/logger.js';
import { Batcher, type FileEvent } from './batcher.js';
import { resolveWatchOptions, toRelative, type WatchInputs } from './options.js';
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
    ? 'The OS ran out of file handles while watching (EMFILE); raise the limit (ulimit -n 65536) or add big directories to WATCH_IGNORE. Falling back to polling.'
    : 'The OS ran out of file watches (ENOSPC, the inotify limit); raise it with "sudo sysctl fs.inotify.max_user_watches=524288" (and persist it in /etc/sysctl.conf) or add big directories to WATCH_IGNORE. Falling back to polling.';
}

/** Watches PROJECT_ROOT; call `start()` then `stop()`. */
export class ProjectWatcher {
  private watcher: FSWatcher | undefined;
  private readonly batcher: Batcher;
  private readonly resolved: ReturnType<typeof resolveWatchOptions>;
  private polling = false;
  private stopped = false;
  /** Events handed to async self-write checks and not yet pushed into the batcher. */
  private inFlight = new Set<Promise<void>>();
  ready = false;

  constructor(private readonly options: ProjectWatcherOptions) {
    this.resolved = resolveWatchOptions(options);
    this.batcher = new Batcher({ debounceMs: options.debounceMs, onFlush: options.onBatch });
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
    await this.watcher?.close();
    await Promise.all(this.inFlight);
    this.batcher.flush();
    this.batcher.dispose();
  }

  private async open(polling: boolean): Promise<void> {
    this.polling = polling;
    this.ready = false;
    const watcher = watch(this.options.projectRoot, { ...this.resolved.chokidar, usePolling: polling, interval: 500, binaryInterval: 1000 });
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
    if (rel === '.gitignore' || rel.endsWith('/.gitignore')) this.resolved.matcher.invalidate(rel.slice(0, Math.max(0, rel.lastIndexOf('/'))));
    if (!this.resolved.isWatched(rel)) return;
    const check = this.options.selfWrites.isOwn(rel).then((own) => {
      if (own) this.options.logger.debug({ path: rel }, 'dropped event of our own write');
      else this.batcher.push({ path: rel, kind });
    });
    this.inFlight.add(check);
    void check.finally(() => this.inFlight.delete(check));
  }

  private onError(error: NodeJS.ErrnoException): void {
    this.options.logger.error({ err: error }, 'watcher error');
    if ((error.code === 'ENOSPC' || error.code === 'EMFILE') && !this.polling && !this.stopped) {
      this.options.onLimit(watchLimitMessage(error.code));
      void this.watcher?.close().then(() => (this.stopped ? undefined : this.open(true)));
    }
  }
}
