/**
 * Known failures of a git project: the failing tests run again on the commit the change started
 * from (HEAD for the working tree), in an export of that commit with the project's dependencies
 * linked. Results are cached per commit and test file, so a failure is compared once.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Git } from '../../git/git.js';
import { repoRootOf } from '../../git/git.js';
import { linkDependencies } from '../../git/link-deps.js';
import { type TreeExport, treeExport } from '../../git/tree-export.js';
import type { TestChecker } from '../checker.js';
import type { CheckTarget } from '../runner.js';
import type { FailingTest, Verdict } from '../verdict.js';
import type { Baseline } from './baseline.js';

export interface CommitBaselineDeps {
  git: Git;
  projectRoot: string;
  /** A folder of fixloop's own for the export (outside the project). */
  cacheDir: string;
  /** The commit the change started from; undefined: none (no commit yet). */
  commit: () => Promise<string | undefined>;
  /** A checker for a copy of the project rooted at `root`. */
  checkerFor: (root: string) => TestChecker;
}

export class CommitBaseline implements Baseline {
  private tree:
    | Promise<{ exporter: TreeExport; root: string; repoRoot: string } | undefined>
    | undefined;
  private checker: TestChecker | undefined;
  private linked = false;
  /** `commit file` → names failing there; a file's entry is made by one run of it. */
  private readonly failing = new Map<string, Set<string>>();

  constructor(private readonly deps: CommitBaselineDeps) {}

  async known(verdict: Verdict, target: CheckTarget, signal?: AbortSignal): Promise<FailingTest[]> {
    const commit = await this.deps.commit();
    const tree = commit ? await this.treeAt(commit) : undefined;
    if (!commit || !tree) return [];
    this.checker ??= this.deps.checkerFor(tree.root);
    const checker = this.checker;
    const key = (file: string) => `${commit} ${file}`;
    const files = [...new Set(verdict.failures.flatMap((f) => (f.file ? [f.file] : [])))];
    // A test file that did not exist at the commit is new: its failures are the change's.
    const toRun = files.filter((f) => !this.failing.has(key(f)) && existsSync(join(tree.root, f)));
    if (toRun.length) {
      const before = await checker.check({ scope: 'files', files: toRun }, signal);
      for (const file of toRun) this.failing.set(key(file), namesIn(before, file));
    }
    // A failure of the whole run (it could not start): the same target, at the commit.
    const whole = `target ${JSON.stringify(target)}`;
    if (verdict.failures.some((f) => f.file === null) && !this.failing.has(key(whole))) {
      const before = await checker.check(target, signal);
      this.failing.set(key(whole), namesIn(before, null));
    }
    if (signal?.aborted) return [];
    return verdict.failures.filter((f) => this.failing.get(key(f.file ?? whole))?.has(f.name));
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

/**
 * Names of the failures (new or known) of `verdict` in `file` (null: failures of the whole run).
 */
function namesIn(verdict: Verdict, file: string | null): Set<string> {
  const all = [...verdict.failures, ...verdict.known_failures];
  return new Set(all.filter((f) => f.file === file).map((f) => f.name));
}
