/**
 * The rules every fixer file access goes through, whichever provider performs the write: the
 * sandbox decides, a user's change since the fixer read a file wins, and the snapshot and its
 * journal learn every write before it happens.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { contentHash } from '../../fs/hash.js';
import { type RaceHooks, replaceIfUnchanged } from '../../fs/replace.js';
import { UserEditError } from '../errors.js';
import type { Resolved, Sandbox } from './sandbox.js';
import type { AttemptSnapshot } from './snapshot.js';

export interface GuardOptions {
  sandbox: Sandbox;
  snapshot: AttemptSnapshot;
  /** Called before each write so the watcher can drop its own event. */
  onOwnWrite: (rel: string, data: string) => void;
  /** Hashes of files as the fixer was shown them (e.g. by the planner), rel → sha256. */
  baseline?: ReadonlyMap<string, string>;
  /** For tests: moments of a write where a user's save is made to land. */
  race?: RaceHooks;
  /** Resolves when a write may happen (the developer has paused); rejects when aborted. */
  untilQuiet?: () => Promise<void>;
}

export interface Refusal {
  command: string;
  path: string;
  reason: string;
  /** Refused for how it changed the file (a weakened test), not where: worth another attempt. */
  retry?: boolean;
}

/** One attempt's file rules and records (refusals, edited files, what the fixer has seen). */
export class FileGuard {
  readonly refusals: Refusal[] = [];
  readonly edited = new Set<string>();
  /** What the fixer last saw or wrote, per real path. */
  private readonly seen = new Map<string, string>();

  constructor(private readonly options: GuardOptions) {}

  /** The root of the workspace this guard protects. */
  get root(): string {
    return this.options.sandbox.root;
  }

  /** Resolves `path` for reading or writing; a refusal is recorded and returned. */
  access(kind: 'read' | 'write', command: string, path: string): Resolved {
    const r = this.options.sandbox.resolve(path);
    const reason = !r.ok
      ? r.reason
      : kind === 'read'
        ? this.options.sandbox.readRefusal(r.rel)
        : this.options.sandbox.writeRefusal(r.rel);
    if (reason) return this.refuse(command, path, reason);
    return r;
  }

  /** Records a refusal decided by the caller (e.g. a tool argument the rules forbid). */
  refuse(
    command: string,
    path: string,
    reason: string,
    retry = false,
  ): { ok: false; reason: string } {
    this.refusals.push({ command, path, reason, ...(retry ? { retry } : {}) });
    return { ok: false, reason };
  }

  /**
   * Why writing `after` over `before` (null: a new file) is refused for what it changes, or null:
   * an existing test may gain tests, never lose or loosen one (see sandbox.ts). Recorded.
   */
  contentRefusal(command: string, rel: string, before: string | null, after: string) {
    const reason = this.options.sandbox.contentRefusal(rel, before, after);
    return reason ? this.refuse(command, rel, reason, true) : null;
  }

  /** Resolves without recording anything (for paths already allowed once). */
  resolve(path: string): Resolved {
    return this.options.sandbox.resolve(path);
  }

  /** Remembers the content the fixer was shown. */
  saw(abs: string, hash: string): void {
    this.seen.set(abs, hash);
  }

  /**
   * Throws UserEditError when the file (`currentHash`, null: absent) is not what the fixer last saw
   * or wrote.
   */
  assertUnchanged(abs: string, rel: string, currentHash: string | null): void {
    const expected = this.seen.get(abs) ?? this.options.baseline?.get(rel);
    if (expected !== undefined && expected !== currentHash) throw new UserEditError(rel);
  }

  /**
   * Everything that must precede a write of `data`: new parent folders noted, snapshot, journal,
   * self-write record.
   */
  async beforeWrite(abs: string, rel: string, data: string): Promise<void> {
    // First, so what follows (snapshot, compare-and-swap) sees the tree as it is after the wait.
    await this.options.untilQuiet?.();
    for (const dir of missingParents(abs)) this.options.snapshot.noteCreatedDir(dir);
    await this.options.snapshot.capture(abs);
    await this.options.snapshot.beforeWrite(abs, data);
    this.options.onOwnWrite(rel, data);
  }

  /** A write of content `hash` is on disk. */
  wrote(abs: string, rel: string, hash: string): void {
    this.seen.set(abs, hash);
    this.edited.add(rel);
  }

  /**
   * Our own write: the rules above, then an atomic replace that keeps the file's mode, made only
   * while the file still holds `expected` (the hash the fixer read; null: a new file). A save of
   * the user's found at the last moment wins: nothing is written and the attempt stops.
   */
  async write(abs: string, rel: string, data: string, expected: string | null): Promise<void> {
    await this.beforeWrite(abs, rel, data);
    await mkdir(dirname(abs), { recursive: true });
    const race = this.options.race;
    const result = await replaceIfUnchanged(abs, data, expected, {
      keepMode: true,
      ...(race ? { race } : {}),
    });
    if (!result.ok) throw new UserEditError(rel);
    this.wrote(abs, rel, contentHash(data));
  }
}

/**
 * Folders a write to `abs` would create, outermost first (rollback removes them again, if empty).
 */
function missingParents(abs: string): string[] {
  const missing: string[] = [];
  for (let d = dirname(abs); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  return missing;
}
