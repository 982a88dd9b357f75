/**
 * Our executor for Anthropic's text editor tool (view, str_replace, create, insert), inside the
 * sandbox.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { contentHash } from '../../../fs/hash.js';
import { ALWAYS_IGNORED_DIRS } from '../../../fs/ignored-dirs.js';
import { isSecretFileName } from '../../../fs/secret-names.js';
import type { FileGuard } from '../../safety/guard.js';
import { isBinary, MAX_FILE_BYTES, writeRefusalFor } from '../../safety/limits.js';

const VIEW_MAX_CHARS = 40_000;

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

/** A refusal as the model sees it. */
const refused = (reason: string): ToolOutcome => ({
  content: `Error: refused: ${reason}.`,
  isError: true,
});

export interface ToolOutcome {
  content: string;
  isError: boolean;
}

/** The api provider's editor: every call goes through the attempt's FileGuard. */
export class SandboxedEditor {
  constructor(private readonly guard: FileGuard) {}

  /**
   * Runs one tool call. Refusals and mistakes come back as `isError` results; only UserEditError
   * throws.
   */
  async execute(input: EditorInput): Promise<ToolOutcome> {
    const command = input.command ?? '';
    const path = input.path ?? '';
    const r = this.guard.access(command === 'view' ? 'read' : 'write', command, path);
    if (!r.ok) return { content: `Error: refused: ${r.reason}.`, isError: true };
    if (command !== 'view' && (await stat(r.abs).catch(() => undefined))?.isDirectory()) {
      return { content: `Error: ${r.rel} is a directory; give a file path`, isError: true };
    }
    try {
      return await this.run(command, r.abs, r.rel, input);
    } catch (error) {
      // A path the model got wrong (a file used as a folder, a name too long) is its mistake to
      // fix, not a crash.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST' || code === 'ENAMETOOLONG')
        return { content: `Error: cannot write ${r.rel} (${code})`, isError: true };
      throw error;
    }
  }

  private run(command: string, abs: string, rel: string, input: EditorInput): Promise<ToolOutcome> {
    switch (command) {
      case 'view':
        return this.view(abs, rel, input.view_range);
      case 'str_replace':
        return this.strReplace(abs, rel, input.old_str ?? '', input.new_str ?? '');
      case 'create':
        return this.create(abs, rel, input.file_text ?? '');
      case 'insert':
        return this.insert(abs, rel, input.insert_line, input.insert_text ?? input.new_str ?? '');
      default:
        return Promise.resolve({
          content:
            `Error: unsupported command "${command}" ` +
            '(use view, str_replace, create or insert)',
          isError: true,
        });
    }
  }

  private async read(
    abs: string,
    rel: string,
  ): Promise<{ text: string; hash: string; buf: Buffer } | ToolOutcome> {
    let buf: Buffer;
    try {
      const s = await stat(abs);
      if (s.size > MAX_FILE_BYTES)
        return {
          content: `Error: ${rel} is too large (${s.size} bytes; the limit is ${MAX_FILE_BYTES})`,
          isError: true,
        };
      buf = await readFile(abs);
    } catch {
      return { content: `Error: ${rel} does not exist`, isError: true };
    }
    if (isBinary(buf)) return { content: `Error: ${rel} is a binary file`, isError: true };
    return { text: buf.toString('utf8'), hash: contentHash(buf), buf };
  }

  /** `read` for an edit: the file must be text an edit changes only where it edits. */
  private async readForEdit(
    command: string,
    abs: string,
    rel: string,
  ): Promise<{ text: string; hash: string } | ToolOutcome> {
    const file = await this.read(abs, rel);
    if ('content' in file) return file;
    const refusal = writeRefusalFor(rel, file.buf);
    if (refusal) return refused(this.guard.refuse(command, rel, refusal).reason);
    return file;
  }

  private async view(abs: string, rel: string, range?: number[]): Promise<ToolOutcome> {
    const s = await stat(abs).catch(() => undefined);
    if (s?.isDirectory()) {
      const entries = (await readdir(abs, { withFileTypes: true })).filter(
        (e) => !ALWAYS_IGNORED_DIRS.has(e.name) && !isSecretFileName(e.name),
      );
      return {
        content:
          entries
            .map((e) => `${e.name}${e.isDirectory() ? '/' : ''}`)
            .sort()
            .join('\n') || '(empty directory)',
        isError: false,
      };
    }
    const file = await this.read(abs, rel);
    if ('content' in file) return file;
    this.guard.saw(abs, file.hash);
    const lines = file.text.split('\n');
    const [start = 1, endRaw = lines.length] = range ?? [];
    const end = endRaw === -1 ? lines.length : Math.min(endRaw, lines.length);
    const shown = lines
      .slice(start - 1, end)
      .map((l, i) => `${start + i}\t${l}`)
      .join('\n');
    return {
      content:
        shown.length > VIEW_MAX_CHARS
          ? `${shown.slice(0, VIEW_MAX_CHARS)}\n… [truncated; use view_range]`
          : shown,
      isError: false,
    };
  }

  private async strReplace(
    abs: string,
    rel: string,
    oldStr: string,
    newStr: string,
  ): Promise<ToolOutcome> {
    const file = await this.readForEdit('str_replace', abs, rel);
    if ('content' in file) return file;
    this.guard.assertUnchanged(abs, rel, file.hash);
    if (!oldStr) return { content: 'Error: old_str is empty', isError: true };
    const count = file.text.split(oldStr).length - 1;
    if (count === 0)
      return {
        content: `Error: No replacement was performed, old_str did not appear verbatim in ${rel}.`,
        isError: true,
      };
    if (count > 1)
      return {
        content:
          'Error: No replacement was performed. ' +
          `Multiple occurrences (${count}) of old_str in ${rel}; make it unique.`,
        isError: true,
      };
    const after = file.text.replace(oldStr, () => newStr);
    const weakens = this.guard.contentRefusal('str_replace', rel, file.text, after);
    if (weakens) return refused(weakens.reason);
    await this.guard.write(abs, rel, after, file.hash);
    return { content: `The file ${rel} has been edited.`, isError: false };
  }

  private async create(abs: string, rel: string, text: string): Promise<ToolOutcome> {
    const existing = await readFile(abs).catch(() => null);
    // The rules of every write apply to a create over an existing file too.
    const refusal = existing && writeRefusalFor(rel, existing);
    if (refusal) return refused(this.guard.refuse('create', rel, refusal).reason);
    const expected = existing ? contentHash(existing) : null;
    if (existing) this.guard.assertUnchanged(abs, rel, contentHash(existing));
    if (Buffer.byteLength(text) > MAX_FILE_BYTES)
      return { content: `Error: file_text is too large`, isError: true };
    const weakens = this.guard.contentRefusal(
      'create',
      rel,
      existing?.toString('utf8') ?? null,
      text,
    );
    if (weakens) return refused(weakens.reason);
    await this.guard.write(abs, rel, text, expected);
    return { content: `File created successfully at: ${rel}`, isError: false };
  }

  private async insert(
    abs: string,
    rel: string,
    line: number | undefined,
    text: string,
  ): Promise<ToolOutcome> {
    const file = await this.readForEdit('insert', abs, rel);
    if ('content' in file) return file;
    this.guard.assertUnchanged(abs, rel, file.hash);
    const lines = file.text.split('\n');
    if (line === undefined || !Number.isInteger(line) || line < 0 || line > lines.length) {
      return { content: `Error: insert_line must be between 0 and ${lines.length}`, isError: true };
    }
    lines.splice(line, 0, ...text.split('\n'));
    const weakens = this.guard.contentRefusal('insert', rel, file.text, lines.join('\n'));
    if (weakens) return refused(weakens.reason);
    await this.guard.write(abs, rel, lines.join('\n'), file.hash);
    return { content: `The file ${rel} has been edited.`, isError: false };
  }
}
