/**
 * The check of a save under way, as newer saves see it: a save of a file the check covers (its
 * target, a test file it is running, or a file such a test imports) makes its verdict stale, so it
 * is cancelled — a hung test no longer holds every later check for TEST_TIMEOUT_SECONDS — and
 * the newer save, already queued, is checked at once. Live progress is recorded on the task
 * (`running`) for `fixloop status`.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckWatch } from '../check/checker.js';
import type { RunningTest } from '../check/instrument/progress.js';
import { ImportSearch } from '../check/related/importers.js';
import type { CheckTarget } from '../check/runner.js';
import { FixloopError } from '../errors.js';

/** Why a check was cancelled: a newer save of `path`. */
export class SupersededError extends FixloopError {
  constructor(readonly path: string) {
    super(`a newer save of ${path}`, { code: 'CHECK_SUPERSEDED' });
  }
}

interface Current {
  target: CheckTarget;
  watch: CheckWatch;
  cut: AbortController;
  /** The checked files as they were when the check began. */
  versions: Map<string, string>;
}

/** A test running this long is shown (recorded on the task once). */
const SHOW_AFTER_MS = 2000;

export class ChecksInFlight {
  private current: Current | undefined;
  private readonly imports: ImportSearch;

  constructor(private readonly root: string) {
    this.imports = new ImportSearch(root);
  }

  /** A file's version (modification time and size), to tell a new save from a repeated event. */
  private versionOf(path: string): string {
    try {
      const s = statSync(join(this.root, path));
      return `${s.mtimeMs}:${s.size}`;
    } catch {
      return 'gone';
    }
  }

  /**
   * A check of `target` begins: its signal is `parent`'s, also aborted (with a SupersededError)
   * by a newer save it covers. `end` when it is over.
   */
  begin(
    target: CheckTarget,
    parent: AbortSignal,
    /** Told of the test running longest, once it has run a while (and again when it changes). */
    show: (test: RunningTest) => void,
  ): { signal: AbortSignal; watch: CheckWatch; end(): void } {
    const cut = new AbortController();
    const forward = () => cut.abort(parent.reason);
    if (parent.aborted) forward();
    parent.addEventListener('abort', forward, { once: true });
    const versions = new Map(target.files.map((f) => [f, this.versionOf(f)]));
    const current: Current = { target, watch: {}, cut, versions };
    this.current = current;
    let shown = '';
    const ticker = setInterval(() => {
      const longest = (current.watch.running?.() ?? []).sort((a, b) => a.since - b.since)[0];
      if (!longest || Date.now() - longest.since < SHOW_AFTER_MS) return;
      const key = `${longest.file}\0${longest.name}`;
      if (key === shown) return;
      shown = key;
      show(longest);
    }, 1000);
    ticker.unref();
    return {
      signal: cut.signal,
      watch: current.watch,
      end: () => {
        clearInterval(ticker);
        parent.removeEventListener('abort', forward);
        if (this.current === current) this.current = undefined;
      },
    };
  }

  /** What the check under way is running now (empty when none is). */
  running(): RunningTest[] {
    return this.current?.watch.running?.() ?? [];
  }

  /** Saves of `paths` (relative to the root) were queued: cancels the check if it covers one. */
  async saved(paths: readonly string[]): Promise<void> {
    const current = this.current;
    if (!current || paths.length === 0) return;
    const running = current.watch.running?.() ?? [];
    const files = new Set([
      ...current.target.files,
      ...running.flatMap((r) => (r.file ? [r.file] : [])),
    ]);
    // A second event of the save being checked (editors and file systems often send two) leaves
    // the file as the check began with it: not a newer save.
    const changed = paths.filter((p) => current.versions.get(p) !== this.versionOf(p));
    let hit = changed.find((p) => files.has(p));
    if (!hit && running.length) {
      const related = await this.imports.relatedTestsEach(changed).catch(() => new Map());
      hit = changed.find((p) =>
        (related.get(p) as string[] | undefined)?.some((t) => files.has(t)),
      );
    }
    if (hit && this.current === current && !current.cut.signal.aborted)
      current.cut.abort(new SupersededError(hit));
  }
}
