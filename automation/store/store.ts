/** StateStore: the JSON state file, read without a lock and changed only under proper-lockfile. */
import { readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Clock, isoAt, systemClock } from '../clock.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { ensureOwnDir } from '../fs/own-dir.js';
import { type Logger, silentLogger } from '../log/logger.js';
import { StateLockError, StateReadError, StateWriteError } from './errors.js';
import { acquireLock, DEFAULT_STALE_MS, lockAdvice, lockIdentity } from './lock.js';
import { parseState } from './parse.js';
import { applyLimits, emptyState, type State } from './schema.js';
import { deepFreeze, isSealed, type Snapshot, StateSerializer, signatureOf } from './snapshot.js';

export interface StateStoreOptions {
  file: string;
  lockFile: string;
  clock?: Clock;
  logger?: Logger;
  /** Told, in one sentence, when a corrupt file was moved aside (the console shows it). */
  onWarning?: (message: string) => void;
  staleMs?: number;
  /** Secret values (from the configuration) redacted from everything written. */
  secrets?: readonly string[];
}

/** How often an update is redone after its lock was compromised before it fails. */
const COMPROMISE_REDOS = 2;

/**
 * `raw`: the file's text as read (null: no file); `signature`: the file's version, to detect a
 * write by someone else before ours lands. `state` is frozen.
 */
type Loaded =
  | { ok: true; state: State; raw: string | null; signature: string }
  | { ok: false; reason: string };

export class StateStore {
  readonly file: string;
  readonly lockFile: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly onWarning: (message: string) => void;
  private readonly staleMs: number;
  private readonly secrets: readonly string[];
  private readonly serializer: StateSerializer;
  /** Loads of the file (reads and updates), those that parsed it, and writes (benchmarks). */
  readonly counts = { loads: 0, parses: 0, writes: 0 };
  /** This process's write under way (loads wait for it). */
  private writing: Promise<void> = Promise.resolve();
  /** The file as this process last read or wrote it: reused while its signature is the same. */
  private snapshot: Snapshot | undefined;

  constructor(options: StateStoreOptions) {
    this.file = options.file;
    this.lockFile = options.lockFile;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.onWarning = options.onWarning ?? (() => {});
    this.staleMs = options.staleMs ?? DEFAULT_STALE_MS;
    this.secrets = options.secrets ?? [];
    this.serializer = new StateSerializer(this.secrets);
  }

  /**
   * The current state, without the lock; never change it (it may be frozen and shared). A missing
   * file reads as empty; a corrupt one is recovered under the lock. An unchanged file is not
   * read again.
   */
  async read(): Promise<State> {
    const loaded = await this.load();
    if (loaded.ok) return loaded.state;
    return this.update((state) => state);
  }

  /**
   * Runs `fn` on the current state under the lock and writes the result atomically.
   * `fn` must be synchronous and touch only `state` (it may be redone if the lock is compromised).
   * The lock is held for the read-modify-write only: milliseconds.
   */
  async update<T>(fn: (state: State) => T): Promise<T> {
    for (let redo = 0; ; redo++) {
      try {
        return await this.updateOnce(fn);
      } catch (error) {
        if (
          !(error instanceof StateLockError && error.code === 'STATE_LOCK_COMPROMISED') ||
          redo >= COMPROMISE_REDOS
        )
          throw error;
        this.logger.warn(
          { err: error, redo: redo + 1 },
          'state lock compromised during an update; redoing it',
        );
      }
    }
  }

  private async updateOnce<T>(fn: (state: State) => T): Promise<T> {
    await ensureOwnDir(dirname(this.file));
    await ensureOwnDir(dirname(this.lockFile));
    let compromised: Error | undefined;
    /** Set when another writer's content shows our lock may have been taken over. */
    let lost = false;
    let release: () => Promise<void>;
    try {
      release = await acquireLock(this.file, this.lockFile, this.staleMs, (error) => {
        // proper-lockfile's default throws inside a timer and would crash the process.
        compromised = error;
        this.logger.error({ err: error, lockFile: this.lockFile }, 'state lock compromised');
      });
    } catch (error) {
      throw new StateLockError(lockAdvice(this.lockFile, error), 'STATE_LOCK_TIMEOUT', error);
    }
    const mine = await lockIdentity(this.lockFile);
    try {
      const loaded = await this.load();
      const state = loaded.ok ? this.copyOf(loaded) : await this.moveAside(loaded.reason);
      const raw = loaded.ok ? loaded.raw : null;
      const signature = loaded.ok ? loaded.signature : 'missing';
      const result = fn(state);
      applyLimits(state);
      // Nothing secret is ever stored, whatever a test printed or a user typed.
      const { text: json, bytes, state: written } = this.serializer.serialize(state);
      // Last check before the rename: a process paused past the stale window (a laptop asleep) may
      // have lost its lock without its refresh timer having run yet; another writer's content shows
      // it.
      const stillOurs = async () => {
        if (compromised)
          throw new StateLockError(
            'The state lock was lost before the update was written; nothing was written.',
            'STATE_LOCK_COMPROMISED',
            compromised,
          );
        if ((await signatureOf(this.file)) !== signature) {
          lost = true;
          throw new StateLockError(
            'Another process wrote the state while this update held a lock it had lost; ' +
              'nothing was written.',
            'STATE_LOCK_COMPROMISED',
          );
        }
      };
      // An update that changed nothing is not written: idle loops and no-op updates cost a read.
      if (json === raw) return result;
      try {
        // Reads in this process wait for it, then find it known: never parsed again.
        const writing = (async () => {
          await writeFileAtomic(this.file, bytes, { beforeRename: stillOurs });
          this.counts.writes++;
          // Still under the lock: nobody else can have replaced it since the rename.
          const signature = await signatureOf(this.file);
          this.snapshot = written ? { signature, text: json, state: written } : undefined;
          this.prepareCopy(bytes.length);
        })();
        this.writing = writing.catch(() => {});
        await writing;
      } catch (error) {
        if (error instanceof StateLockError) throw error;
        throw new StateWriteError(this.file, error);
      }
      return result;
    } finally {
      // Releasing a lock that was taken over would delete the new holder's lock directory: after a
      // foreign write, release only if the lock directory is still the one we created (the file was
      // changed without the lock, e.g. by hand). Otherwise proper-lockfile notices at its next
      // refresh and forgets ours. `theirs` is also true when the lock directory is gone.
      const theirs = lost && !compromised && (await lockIdentity(this.lockFile)) !== mine;
      if (!compromised && !theirs) await release().catch(() => {});
    }
  }

  /** A copy of the loaded state to change: the one made while idle, when it is of this file. */
  private copyOf(loaded: Extract<Loaded, { ok: true }>): State {
    const known = this.snapshot;
    const spare = known?.signature === loaded.signature ? known.spare : undefined;
    if (known) known.spare = undefined;
    return spare ?? structuredClone(loaded.state);
  }

  /**
   * For a large state (thousands of tasks), copies it for the next update once this turn of the
   * event loop is over: ~25 ms that would otherwise delay the next save's check.
   */
  private prepareCopy(size: number): void {
    const known = this.snapshot;
    if (!known?.state || size < 256 * 1024) return;
    setImmediate(() => {
      if (this.snapshot === known && known.state && !known.spare)
        known.spare = structuredClone(known.state);
    });
  }

  /** Reads and validates the file; `ok: false` when it exists but is unusable. */
  private async load(): Promise<Loaded> {
    await this.writing;
    const empty = { ok: true, state: emptyState(), raw: null, signature: 'missing' } as const;
    // The signature before the text: a file replaced in between is read again next time.
    const signature = await signatureOf(this.file).catch((error) => {
      throw new StateReadError(this.file, error);
    });
    this.counts.loads++;
    const known = this.snapshot;
    if (known && known.signature === signature) {
      // Read a second time: parsed again without validation (it passed), frozen and kept.
      known.state ??= deepFreeze(
        (parseState(known.text, this.file, true) as { state: State }).state,
      );
      return { ok: true, state: known.state, raw: known.text, signature };
    }
    if (signature === 'missing') return empty;
    let bytes: Buffer;
    this.counts.parses++;
    try {
      bytes = await readFile(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return empty;
      throw new StateReadError(this.file, error);
    }
    const text = bytes.toString('utf8');
    const parsed = parseState(text, this.file, isSealed(bytes));
    if (!parsed.ok) return parsed;
    this.snapshot = { signature, text, state: undefined };
    return { ok: true, state: parsed.state, raw: text, signature };
  }

  /**
   * Moves an unusable file to `<file>.corrupt-<timestamp>` (never deletes it) and starts a fresh
   * state.
   */
  private async moveAside(reason: string): Promise<State> {
    const stamp = isoAt(this.clock).replace(/[:.]/g, '-');
    const target = `${this.file}.corrupt-${stamp}`;
    await rename(this.file, target);
    const message =
      `The state file ${this.file} was unusable (${reason}); ` +
      `it was moved to ${target} and a fresh state was started.`;
    this.logger.warn(
      { file: this.file, movedTo: target, reason },
      'corrupt state file moved aside',
    );
    this.onWarning(message);
    return emptyState();
  }
}
