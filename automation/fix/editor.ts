/** Our executor for Anthropic's text editor tool (view, str_replace, create, insert), inside the sandbox. */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ALWAYS_IGNORED_DIRS } from '../watch/options.js';
import { contentHash } from '../watch/self-writes.js';
import type { Sandbox } from './sandbox.js';
import type { AttemptSnapshot } from './snapshot.js';

export const MAX_FILE_BYTES = 1_000_000;
const VIEW_MAX_CHARS = 40_000;

/** The user changed a file after the fixer read it: the attempt must stop and write nothing more. */
export class UserEditError extends Error {
  readonly code = 'USER_EDIT';
  constructor(readonly rel: string) {
    super(`${rel} was changed by the user while the fix was being made; the user's version wins`);
  }
}

export interface EditorInput {
  command?: string;
  path?: string;
  view_range?: number[];
  old_str?: string;
  new_str?: string;
  file_text?: string;
  insert_line?: number;
  insert_text?: string;
}

export interface ToolOutcome {
  content: string;
  isError: boolean;
}

export interface EditorOptions {
  sandbox: Sandbox;
  snapshot: AttemptSnapshot;
  /** Called before each write so the watcher can drop its own event. */
  onOwnWrite: (rel: string, data: string) => void;
  /** Hashes of files as the fixer was shown them (e.g. by the planner), rel → sha256. */
  baseline?: ReadonlyMap<string, string>;
}

const isBinary = (buf: Buffer) => buf.subarray(0, 8000).includes(0);

export class SandboxedEditor {
  readonly refusals: Array<{ command: string; path: string; reason: string }> = [];
  readonly edited = new Set<string>();
  /** What the fixer last saw or wrote, per real path. */
  private readonly seen = new Map<string, string>();

  constructor(private readonly o: EditorOptions) {}

  /** Runs one tool call. Refusals and mistakes come back as `isError` results; only UserEditError throws. */
  async execute(input: EditorInput): Promise<ToolOutcome> {
    const command = input.command ?? '';
    const path = input.path ?? '';
    const r = this.o.sandbox.resolve(path);
    if (!r.ok) return this.refuse(command, path, r.reason);
    const refusal = command === 'view' ? this.o.sandbox.readRefusal(r.rel) : this.o.sandbox.writeRefusal(r.rel);
    if (refusal) return this.refuse(command, path, refusal);
    switch (command) {
      case 'view':
        return this.view(r.abs, r.rel, input.view_range);
      case 'str_replace':
        return this.strReplace(r.abs, r.rel, input.old_str ?? '', input.new_str ?? '');
      case 'create':
        return this.create(r.abs, r.rel, input.file_text ?? '');
      case 'insert':
        return this.insert(r.abs, r.rel, input.insert_line, input.insert_text ?? input.new_str ?? '');
      default:
        return { content: `Error: unsupported command "${command}" (use view, str_replace, create or insert)`, isError: true };
    }
  }

  /**
   * For providers that write themselves (claude-code): checks a read, and remembers what the
   * fixer saw. Returns a refusal reason, or null.
   */
  async authorizeRead(command: string, path: string): Promise<string | null> {
    const r = this.o.sandbox.resolve(path);
    const refusal = r.ok ? this.o.sandbox.readRefusal(r.rel) : r.reason;
    if (refusal) {
      this.refusals.push({ command, path, reason: refusal });
      return refusal;
    }
    if (r.ok) {
      const buf = await readFile(r.abs).catch(() => undefined);
      if (buf) this.seen.set(r.abs, contentHash(buf));
    }
    return null;
  }

  /**
   * For providers that write themselves: everything our own write does except writing — sandbox
   * rules, size and binary checks, the user-edit check (throws UserEditError), the snapshot and its
   * journal, and the self-write record. `next` computes the new content from the current one.
   */
  async prepareWrite(command: string, path: string, next: (current: string | null) => string): Promise<string | null> {
    const r = this.o.sandbox.resolve(path);
    const refusal = r.ok ? this.o.sandbox.writeRefusal(r.rel) : r.reason;
    if (refusal || !r.ok) {
      this.refusals.push({ command, path, reason: refusal ?? 'invalid path' });
      return refusal ?? 'invalid path';
    }
    const existing = await readFile(r.abs).catch(() => null);
    if (existing && (existing.length > MAX_FILE_BYTES || isBinary(existing))) return `${r.rel} is binary or too large`;
    this.checkUnchanged(r.abs, r.rel, existing ? contentHash(existing) : null);
    const text = next(existing ? existing.toString('utf8') : null);
    await this.o.snapshot.capture(r.abs);
    await this.o.snapshot.beforeWrite(r.abs, text);
    this.o.onOwnWrite(r.rel, text);
    this.seen.set(r.abs, contentHash(text));
    this.edited.add(r.rel);
    return null;
  }

  /** After a provider's own write: records what is really on disk as ours (and journals it). */
  async confirmWrite(path: string): Promise<void> {
    const r = this.o.sandbox.resolve(path);
    if (!r.ok) return;
    const buf = await readFile(r.abs).catch(() => null);
    if (!buf) return;
    await this.o.snapshot.beforeWrite(r.abs, buf);
    this.o.onOwnWrite(r.rel, buf.toString('utf8'));
    this.seen.set(r.abs, contentHash(buf));
  }

  private refuse(command: string, path: string, reason: string): ToolOutcome {
    this.refusals.push({ command, path, reason });
    return { content: `Error: refused: ${reason}.`, isError: true };
  }

  private async read(abs: string, rel: string): Promise<{ text: string; hash: string } | ToolOutcome> {
    let buf: Buffer;
    try {
      const s = await stat(abs);
      if (s.size > MAX_FILE_BYTES) return { content: `Error: ${rel} is too large (${s.size} bytes; the limit is ${MAX_FILE_BYTES})`, isError: true };
      buf = await readFile(abs);
    } catch {
      return { content: `Error: ${rel} does not exist`, isError: true };
    }
    if (isBinary(buf)) return { content: `Error: ${rel} is a binary file`, isError: true };
    return { text: buf.toString('utf8'), hash: contentHash(buf) };
  }

  private async view(abs: string, rel: string, range?: number[]): Promise<ToolOutcome> {
    const s = await stat(abs).catch(() => undefined);
    if (s?.isDirectory()) {
      const entries = (await readdir(abs, { withFileTypes: true })).filter((e) => !ALWAYS_IGNORED_DIRS.has(e.name) && !e.name.startsWith('.env'));
      return { content: entries.map((e) => `${e.name}${e.isDirectory() ? '/' : ''}`).sort().join('\n') || '(empty directory)', isError: false };
    }
    const file = await this.read(abs, rel);
    if ('content' in file) return file;
    this.seen.set(abs, file.hash);
    const lines = file.text.split('\n');
    const [start = 1, endRaw = lines.length] = range ?? [];
    const end = endRaw === -1 ? lines.length : Math.min(endRaw, lines.length);
    const shown = lines.slice(start - 1, end).map((l, i) => `${start + i}\t${l}`).join('\n');
    return { content: shown.length > VIEW_MAX_CHARS ? `${shown.slice(0, VIEW_MAX_CHARS)}\n… [truncated; use view_range]` : shown, isError: false };
  }

  /** Throws UserEditError when the file on disk is not what the fixer last saw or wrote. */
  private checkUnchanged(abs: string, rel: string, currentHash: string | null): void {
    const expected = this.seen.get(abs) ?? this.o.baseline?.get(rel);
    if (expected !== undefined && expected !== currentHash) throw new UserEditError(rel);
  }

  private async write(abs: string, rel: string, text: string): Promise<void> {
    await this.o.snapshot.capture(abs);
    await this.o.snapshot.beforeWrite(abs, text);
    this.o.onOwnWrite(rel, text);
    await writeFile(abs, text);
    this.seen.set(abs, contentHash(text));
    this.edited.add(rel);
  }

  private async strReplace(abs: string, rel: string, oldStr: string, newStr: string): Promise<ToolOutcome> {
    const file = await this.read(abs, rel);
    if ('content' in file) return file;
    this.checkUnchanged(abs, rel, file.hash);
    if (!oldStr) return { content: 'Error: old_str is empty', isError: true };
    const count = file.text.split(oldStr).length - 1;
    if (count === 0) return { content: `Error: No replacement was performed, old_str did not appear verbatim in ${rel}.`, isError: true };
    if (count > 1) return { content: `Error: No replacement was performed. Multiple occurrences (${count}) of old_str in ${rel}; make it unique.`, isError: true };
    await this.write(abs, rel, file.text.replace(oldStr, () => newStr));
    return { content: `The file ${rel} has been edited.`, isError: false };
  }

  private async create(abs: string, rel: string, text: string): Promise<ToolOutcome> {
    const existing = await readFile(abs).catch(() => null);
    if (existing) this.checkUnchanged(abs, rel, contentHash(existing));
    else await this.makeParents(abs);
    if (Buffer.byteLength(text) > MAX_FILE_BYTES) return { content: `Error: file_text is too large`, isError: true };
    await this.write(abs, rel, text);
    return { content: `File created successfully at: ${rel}`, isError: false };
  }

  private async insert(abs: string, rel: string, line: number | undefined, text: string): Promise<ToolOutcome> {
    const file = await this.read(abs, rel);
    if ('content' in file) return file;
    this.checkUnchanged(abs, rel, file.hash);
    const lines = file.text.split('\n');
    if (line === undefined || !Number.isInteger(line) || line < 0 || line > lines.length) {
      return { content: `Error: insert_line must be between 0 and ${lines.length}`, isError: true };
    }
    lines.splice(line, 0, ...text.split('\n'));
    await this.write(abs, rel, lines.join('\n'));
    return { content: `The file ${rel} has been edited.`, isError: false };
  }

  private async makeParents(abs: string): Promise<void> {
    const dir = dirname(abs);
    const first = await mkdir(dir, { recursive: true });
    if (!first) return;
    // Every directory from the first one created down to the file's, so rollback can remove them all.
    const created = [dir];
    for (let d = dir; d !== first && dirname(d) !== d; ) created.unshift((d = dirname(d)));
    for (const c of created) this.o.snapshot.noteCreatedDir(c);
  }
}
