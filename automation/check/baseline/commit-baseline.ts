/**
 * Known failures of a git project: the failing tests run again on the commit the change started
 * from (HEAD for the working tree), in an export of that commit with the project's dependencies
 * linked. Results are cached per commit and test file, so a failure is compared once.
 *
 * A run at the commit is trusted only if it tested the commit: one that could not run, or that
 * read files from the developer's checkout instead of the export (an editable install, a link),
 * makes the baseline unavailable, and the failures stay the change's.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Git } from '../../git/git.js';
import { repoRootOf } from '../../git/git.js';
import { linkDependencies } from '../../git/link-deps.js';
import { type TreeExport, treeExport } from '../../git/tree-export.js';
import type { TestChecker } from '../checker.js';
import type { CheckTarget } from '../runner.js';
import type { FailingTest, Verdict } from '../verdict.js';
import type { Baseline, BaselineAnswer, CopyOf } from './baseline.js';

export interface CommitBaselineDeps {
  git: Git;
  projectRoot: string;
  /** A folder of fixloop's own for the export (outside the project). */
  cacheDir: string;
  /** The commit the change started from; undefined: none (no commit yet). */
  commit: () => Promise<string | undefined>;
  /** A checker for a copy of the project rooted at `root` (`copyOf`: what it must not read). */
  checkerFor: (root: string, copyOf: CopyOf) => TestChecker;
}

/** What one run at the commit said of a test file (or of the whole target). */
type Entry = { failing: Set<string> } | { unavailable: string };

export class CommitBaseline implements Baseline {
  private tree:
    | Promise<{ exporter: TreeExport; root: string; repoRoot: string } | undefined>
    | undefined;
  private checker: TestChecker | undefined;
  private linked = false;
  /** `commit file` → what its run there said; a file's entry is made by one run of it. */
  private readonly runs = new Map<string, Entry>();

  constructor(private readonly deps: CommitBaselineDeps) {}

  async known(
    verdict: Verdict,
    target: CheckTarget,
    signal?: AbortSignal,
  ): Promise<BaselineAnswer> {
    const commit = await this.deps.commit();
    if (!commit) return { known: [] };
    let tree: Awaited<ReturnType<CommitBaseline['treeAt']>>;
    try {
      tree = await this.treeAt(commit);
    } catch (error) {
      return { known: [], unavailable: `the export of ${short(commit)} failed: ${message(error)}` };
    }
    if (!tree) return { known: [] };
    this.checker ??= this.deps.checkerFor(tree.root, {
      source: tree.repoRoot,
      copy: tree.exporter.dir,
    });
    const checker = this.checker;
    const key = (file: string) => `${commit} ${file}`;
    const files = [...new Set(verdict.failures.flatMap((f) => (f.file ? [f.file] : [])))];
    // A test file that did not exist at the commit is new: its failures are the change's.
    const toRun = files.filter((f) => !this.runs.has(key(f)) && existsSync(join(tree.root, f)));
    if (toRun.length) {
      const before = await checker.check({ scope: 'files', files: toRun }, signal);
      if (signal?.aborted) return { known: [] };
      const why = untrusted(before, commit);
      for (const file of toRun)
        this.runs.set(key(file), why ? { unavailable: why } : { failing: namesIn(before, file) });
    }
    // A failure of the whole run (it could not start): the same target, at the commit. Its own
    // failure to run is the answer here ("no test could run, as before your change").
    const whole = `target ${JSON.stringify(target)}`;
    if (verdict.failures.some((f) => f.file === null) && !this.runs.has(key(whole))) {
      const before = await checker.check(target, signal);
      if (signal?.aborted) return { known: [] };
      const foreign = before.foreign_reads?.length ? untrusted(before, commit) : undefined;
      this.runs.set(
        key(whole),
        foreign ? { unavailable: foreign } : { failing: namesIn(before, null) },
      );
    }
    const known: FailingTest[] = [];
    let unavailable: string | undefined;
    for (const f of verdict.failures) {
      const entry = this.runs.get(key(f.file ?? whole));
      if (entry && 'unavailable' in entry) unavailable ??= entry.unavailable;
      else if (entry?.failing.has(f.name)) known.push(f);
    }
    return { known, ...(unavailable ? { unavailable } : {}) };
  }

  /**
   * Runs `target` at the commit with `overlay` (relative path → content) written over the export
   * for the run (the tests a work order adds, run without its other changes), then restores the
   * export. Undefined outside a repository or without a commit.
   */
  async runWith(
    overlay: ReadonlyMap<string, string>,
    target: CheckTarget,
    signal?: AbortSignal,
  ): Promise<Verdict | undefined> {
    const commit = await this.deps.commit();
    const tree = commit ? await this.treeAt(commit) : undefined;
    if (!tree) return undefined;
    this.checker ??= this.deps.checkerFor(tree.root, {
      source: tree.repoRoot,
      copy: tree.exporter.dir,
    });
    const before = new Map<string, string | undefined>();
    try {
      for (const [rel, text] of overlay) {
        const abs = join(tree.root, rel);
        before.set(abs, await readFile(abs, 'utf8').catch(() => undefined));
        await mkdir(dirname(abs), { recursive: true });
        await writeFile(abs, text);
      }
      return await this.checker.check(target, signal);
    } finally {
      for (const [abs, text] of before)
        await (text === undefined ? rm(abs, { force: true }) : writeFile(abs, text));
    }
  }

  /** The export of `commit` (made or updated), or undefined outside a repository. */
  private async treeAt(commit: string) {
    this.tree ??= (async () => {
      const repoRoot = await repoRootOf(this.deps.git, this.deps.projectRoot);
      if (!repoRoot) return undefined;
      const exporter = treeExport(this.deps.git, repoRoot, this.deps.cacheDir);
      return {
        exporter,
        repoRoot,
        root: join(exporter.dir, relative(repoRoot, this.deps.projectRoot)),
      };
    })();
    const tree = await this.tree;
    if (!tree) return undefined;
    await tree.exporter.update(commit);
    if (!this.linked) {
      await linkDependencies(tree.repoRoot, tree.exporter.dir);
      this.linked = true;
    }
    return tree;
  }
}

const short = (commit: string) => commit.slice(0, 7);
const message = (error: unknown) => (error as Error).message.split('\n')[0] ?? String(error);

/** Why the run at `commit` cannot be trusted, or undefined when it can. */
function untrusted(before: Verdict, commit: string): string | undefined {
  const foreign = before.foreign_reads ?? [];
  if (foreign.length) {
    const more = foreign.length > 1 ? ` (and ${foreign.length - 1} more)` : '';
    return (
      `its run at ${short(commit)} read ${foreign[0]}${more} from your working tree instead of ` +
      'the commit (an editable install or a link into your checkout)'
    );
  }
  if (before.status === 'error' || before.status === 'timeout')
    return `its run at ${short(commit)} did not complete: ${before.summary}`;
  return undefined;
}

/**
 * Names of the failures (new or known) of `verdict` in `file` (null: failures of the whole run).
 */
function namesIn(verdict: Verdict, file: string | null): Set<string> {
  const all = [...verdict.failures, ...verdict.known_failures];
  return new Set(all.filter((f) => f.file === file).map((f) => f.name));
}
