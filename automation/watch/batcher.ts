/** Debounces file events into batches: trailing, reset by each event, with a max wait. */

export type ChangeKind = 'added' | 'changed' | 'deleted';

export interface FileEvent {
  /** Relative to PROJECT_ROOT, with `/`. */
  path: string;
  kind: ChangeKind;
}

export interface BatcherOptions {
  debounceMs: number;
  /** A continuous stream of events still flushes after this long (default 5 × debounce). */
  maxWaitMs?: number;
  onFlush: (batch: FileEvent[]) => void;
}

/**
 * Collects events; `onFlush` gets each path once, with its latest kind, after `debounceMs` of
 * quiet, or `maxWaitMs` after the first event of the batch, whichever comes first.
 */
export class Batcher {
  private pending = new Map<string, ChangeKind>();
  private quietTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;
  private readonly maxWaitMs: number;

  constructor(private readonly options: BatcherOptions) {
    this.maxWaitMs = options.maxWaitMs ?? Math.max(options.debounceMs * 5, 1);
  }

  /** Number of distinct paths waiting. */
  get size(): number {
    return this.pending.size;
  }

  push(event: FileEvent): void {
    // Re-insert so iteration order is the order of the latest event per path.
    this.pending.delete(event.path);
    this.pending.set(event.path, event.kind);
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.flush(), this.options.debounceMs);
    this.maxTimer ??= setTimeout(() => this.flush(), this.maxWaitMs);
  }

  /** Flushes now (e.g. on stop, so nothing is dropped). A no-op when empty. */
  flush(): void {
    clearTimeout(this.quietTimer);
    clearTimeout(this.maxTimer);
    this.quietTimer = this.maxTimer = undefined;
    if (this.pending.size === 0) return;
    const batch = [...this.pending].map(([path, kind]) => ({ path, kind }));
    this.pending = new Map();
    this.options.onFlush(batch);
  }

  /** Stops the timers without flushing. */
  dispose(): void {
    clearTimeout(this.quietTimer);
    clearTimeout(this.maxTimer);
    this.quietTimer = this.maxTimer = undefined;
  }
}
