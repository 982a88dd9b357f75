/**
 * The claude-code provider's gate: Claude Code's PreToolUse/PostToolUse hooks ask it (in this
 * process, through the Agent SDK) whether a tool call may run. It applies the api provider's
 * rules through the same FileGuard (sandbox, snapshot + journal before every write, user edits
 * win), plus what only this provider needs: no file content the model could see unredacted.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { contentHash } from '../../../fs/hash.js';
import { containsSecret } from '../../../redact.js';
import { UserEditError } from '../../errors.js';
import type { FileGuard } from '../../safety/guard.js';
import { MAX_FILE_BYTES, writeRefusalFor } from '../../safety/limits.js';
import { claudeCodeResult } from './edit.js';
import { deny, HookCalls, type HookDecision, type HookInput } from './hook-calls.js';

const ALLOW: HookDecision = { permissionDecision: 'allow' };
/** A denial for a refusal the guard already recorded. */
const refusedBy = (reason: string): HookDecision => deny(`refused: ${reason}`);

/** A glob that could reach outside the folder it is given (absolute, or with `..`). */
const escapes = (pattern: string) =>
  pattern.startsWith('/') || pattern.startsWith('~') || /(^|[/\\])\.\.([/\\]|$)/.test(pattern);

export interface GateOptions {
  /** Known secret values (a Read of a file holding one is refused). */
  secrets: readonly string[];
  root: string;
  /** Claude Code's HOME, for its `~` expansion. */
  home: string;
}

export class Gate extends HookCalls {
  /**
   * Hashes of content an allowed write will leave, until PostToolUse confirms it: real path →
   * hashes.
   */
  private readonly pending = new Map<string, string[]>();
  /** Set when a file changed under the fixer: the attempt must stop. */
  userEdit: UserEditError | undefined;

  constructor(
    private readonly guard: FileGuard,
    private readonly options: GateOptions,
  ) {
    super();
  }

  /** Records a refusal decided here (not by the sandbox) and denies the call with it. */
  private refused(tool: string, path: string, reason: string): HookDecision {
    return refusedBy(this.guard.refuse(tool, path, reason).reason);
  }

  /**
   * The path Claude Code will use for a path argument: its own expansion (trim, `~`, NFC), relative
   * to the root.
   */
  private where(value: unknown): string {
    const p = String(value ?? '').trim();
    if (!p) return this.options.root;
    if (p === '~') return this.options.home.normalize('NFC');
    if (p.startsWith('~/')) return join(this.options.home, p.slice(2)).normalize('NFC');
    return resolve(this.options.root, p).normalize('NFC');
  }

  protected async answer(input: HookInput): Promise<HookDecision> {
    const tool = input.tool_name ?? '';
    const args = input.tool_input ?? {};
    if (input.hook_event_name === 'PostToolUse') {
      if (tool === 'Edit' || tool === 'Write') await this.confirm(tool, args, input.tool_response);
      return {};
    }
    if (this.userEdit) return deny(this.userEdit.message);
    switch (tool) {
      case 'Read':
        return this.read(tool, this.where(args.file_path), true);
      case 'Grep':
        return this.grep(args);
      case 'Glob':
        return this.glob(args);
      case 'Edit':
      case 'Write':
        return this.write(tool, args);
      default:
        return deny(`refused: fixloop only allows Read, Glob, Grep, Edit and Write (not ${tool})`);
    }
  }

  /**
   * A read of `path`; with `content`, its text will reach the model, so files holding credentials
   * are refused.
   */
  private async read(tool: string, path: string, content: boolean): Promise<HookDecision> {
    const a = this.guard.access('read', tool, path);
    if (!a.ok) return refusedBy(a.reason);
    const s = await stat(a.abs).catch(() => undefined);
    if (!s?.isFile() || !content) return ALLOW;
    if (s.size > MAX_FILE_BYTES)
      return this.refused(
        tool,
        path,
        `${a.rel} is too large to check for credentials (over ${MAX_FILE_BYTES} bytes)`,
      );
    const buf = await readFile(a.abs).catch(() => undefined);
    if (!buf) return ALLOW;
    // The api provider redacts what the model is shown; Claude Code sends files itself, so they are
    // refused instead.
    if (containsSecret(buf.toString('utf8'), this.options.secrets)) {
      return this.refused(
        tool,
        path,
        `${a.rel} contains a credential, which fixloop does not send to the model`,
      );
    }
    this.guard.saw(a.abs, contentHash(buf));
    return ALLOW;
  }

  /**
   * The folder or file a Grep/Glob searches: inside the root, and spelled as its real path. Claude
   * Code's deny rules (which hide secret files from the search) are matched against the path as
   * the search spells it, so a symlinked folder or another letter case would slip past them.
   */
  private searched(
    tool: string,
    value: unknown,
  ): { ok: true; abs: string } | { ok: false; decision: HookDecision } {
    const path = this.where(value);
    const a = this.guard.access('read', tool, path);
    if (!a.ok) return { ok: false, decision: refusedBy(a.reason) };
    if (a.abs.normalize('NFC') !== path) {
      return {
        ok: false,
        decision: this.refused(
          tool,
          path,
          `search ${a.abs} instead ` +
            '(this path goes through a symbolic link or differs in letter case)',
        ),
      };
    }
    return { ok: true, abs: a.abs };
  }

  /**
   * Grep: a glob that stays inside; over a folder only file names or counts (content comes through
   * Read).
   */
  private async grep(args: Record<string, unknown>): Promise<HookDecision> {
    if (typeof args.glob === 'string' && escapes(args.glob))
      return this.refused('Grep', args.glob, 'the glob reaches outside the folder searched');
    const target = this.searched('Grep', args.path);
    if (!target.ok) return target.decision;
    // One file: checked like a Read in every output mode (a count answers guesses about its content
    // too).
    if ((await stat(target.abs).catch(() => undefined))?.isFile())
      return this.read('Grep', target.abs, true);
    if (args.output_mode !== 'content') return ALLOW;
    return deny(
      'refused: over a folder, Grep may list files ' +
        '(output_mode "files_with_matches" or "count"); then Read the files you need',
    );
  }

  private glob(args: Record<string, unknown>): HookDecision {
    const pattern = String(args.pattern ?? '');
    if (escapes(pattern))
      return this.refused('Glob', pattern, 'the pattern reaches outside the folder searched');
    const target = this.searched('Glob', args.path);
    return target.ok ? ALLOW : target.decision;
  }

  /**
   * Edit/Write: the api provider's rules, and the journal learns the predicted content before
   * Claude Code writes it.
   */
  private async write(tool: string, args: Record<string, unknown>): Promise<HookDecision> {
    const path = this.where(args.file_path);
    const a = this.guard.access('write', tool, path);
    if (!a.ok) return refusedBy(a.reason);
    // Claude Code writes through one level of symbolic link, which could replace a link outside the
    // root.
    if (a.link) return this.refused(tool, path, `${path} is a symbolic link; edit ${a.rel} itself`);
    const s = await stat(a.abs).catch(() => undefined);
    if (s?.isDirectory()) return deny(`refused: ${a.rel} is a directory`);
    const existing = s ? await readFile(a.abs) : null;
    const refusal = existing && writeRefusalFor(a.rel, existing);
    if (refusal) return this.refused(tool, path, refusal);
    try {
      this.guard.assertUnchanged(a.abs, a.rel, existing ? contentHash(existing) : null);
    } catch (error) {
      if (!(error instanceof UserEditError)) throw error;
      this.userEdit = error;
      return deny(error.message);
    }
    const next = claudeCodeResult(tool, args, existing ? existing.toString('utf8') : null);
    if (Buffer.byteLength(next) > MAX_FILE_BYTES)
      return this.refused(tool, path, `the new ${a.rel} would be over ${MAX_FILE_BYTES} bytes`);
    const weakens = this.guard.contentRefusal(
      tool,
      a.rel,
      existing?.toString('utf8') ?? null,
      next,
    );
    if (weakens) return refusedBy(weakens.reason);
    await this.guard.beforeWrite(a.abs, a.rel, next);
    this.pending.set(a.abs, [...(this.pending.get(a.abs) ?? []), contentHash(next)]);
    return ALLOW;
  }

  /**
   * After Claude Code wrote: the file must hold what we predicted (or, for Write, the content it
   * reports). Anything else was written by someone else, e.g. the user saving between the write
   * and this hook: it is left as it is and the attempt stops.
   */
  private async confirm(
    tool: string,
    args: Record<string, unknown>,
    response: unknown,
  ): Promise<void> {
    const r = this.guard.resolve(this.where(args.file_path));
    if (!r.ok) return;
    const buf = await readFile(r.abs).catch(() => null);
    const hash = buf ? contentHash(buf) : null;
    const reported =
      tool === 'Write' ? (response as { content?: unknown } | undefined)?.content : undefined;
    let ours = hash !== null && (this.pending.get(r.abs) ?? []).includes(hash);
    if (!ours && hash !== null && typeof reported === 'string' && contentHash(reported) === hash) {
      await this.guard.beforeWrite(r.abs, r.rel, reported);
      ours = true;
    }
    this.pending.delete(r.abs);
    if (ours && hash) this.guard.wrote(r.abs, r.rel, hash);
    else
      this.userEdit ??= new UserEditError(
        r.rel,
        'does not hold the content Claude Code was allowed to write ' +
          '(it changed outside the fix, perhaps by you); it is left as it is',
      );
  }
}
