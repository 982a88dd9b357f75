/** Checker: runs the project's runners on a target and returns one structured Verdict. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { relativePosix } from '../fs/paths.js';
import { processScratch, type Scratch } from '../fs/scratch.js';
import type { Settled } from './baseline/baseline.js';
import { runnerLabel, type TestSetup, type TestSetups } from './detect.js';
import type { CopyIsolation } from './instrument/isolation.js';
import type { RunningTest } from './instrument/progress.js';
import { runInstruments } from './instrument/run-instruments.js';
import type { ProcessRunner } from './process-runner.js';
import { ImportSearch } from './related/importers.js';
import { mergeVerdicts, verdictOfRun } from './run-outcome.js';
import type { CheckTarget, RunnerContext } from './runner.js';
import { readFileOrUndefined } from './runners/read-report.js';
import { isTestFile } from './test-files.js';
import { finishVerdict, type Verdict } from './verdict.js';
import type { WarmRunners } from './warm/warm-runners.js';

export interface CheckerOptions {
  root: string;
  /** Which runner tests which file (see detect.ts). */
  setups: TestSetups;
  processRunner: ProcessRunner;
  timeoutMs: number;
  /** Environment for test processes (CI=true, no colours, no secrets). */
  env: NodeJS.ProcessEnv;
  /** Where runners write their reports; this process's temp folder by default. */
  scratch?: Scratch;
  /** Warm vitest and jest runners (the working tree's checker only). */
  warm?: WarmRunners;
  /** For a copy of the project (HEAD's export, a worktree): runs test the copy, traced. */
  isolation?: CopyIsolation;
  /** Runs are sandboxed: one that fails the way a sandbox makes things fail says so. */
  sandboxed?: boolean;
}

/** What a run meets in the sandbox that it would not outside: a read-only file, no network. */
const WITHHELD = new RegExp(
  'EROFS|read-only file system|EAI_AGAIN|ENOTFOUND|getaddrinfo|ENETUNREACH|' +
    'network is unreachable|bwrap:',
  'i',
);

/** The hint a run that failed like that gets (CONTRACT §8: which variable to change). */
export const SANDBOX_HINT =
  'it ran in the sandbox, which withholds the network and all but its own tree: ' +
  'SANDBOX_NETWORK=allow gives it the network, SANDBOX=off runs it as you';

function hinted(v: Verdict): Verdict {
  const said = `${v.output_excerpt}\n${v.failures.map((f) => f.message).join('\n')}`;
  if (v.passed || !WITHHELD.test(said)) return v;
  return { ...v, summary: `${v.summary}; ${SANDBOX_HINT}` };
}

/** What the rest of fixloop needs from a checker (the known-failures judge wraps one). */
export interface TestChecker {
  readonly runnerName: string | undefined;
  /** Whether the project's runner is kept warm between checks. */
  readonly warm?: boolean;
  /** `watch`: told how to see what the check is running while it runs. */
  check(target: CheckTarget, signal?: AbortSignal, watch?: CheckWatch): Promise<Verdict>;
  /** Records the tree as a task left it (after a save, or a kept fix), when it learns. */
  settle?(verdict: Verdict, settled: Settled): Promise<void>;
  /** Gets ready for the first check in the background (starts a warm runner). */
  prepare?(): void;
  /** Ends what the checker keeps running (warm runners and their workers). */
  close?(): Promise<void>;
}

/** A check's live view for whoever started it: what its current run is running, while it runs. */
export interface CheckWatch {
  running?: (() => RunningTest[]) | undefined;
}

/** What a check's runs share: the caller's abort signal and live view. */
type Live = { signal?: AbortSignal | undefined; watch?: CheckWatch | undefined };

const zero = () => ({ passed: 0, failed: 0, skipped: 0, total: 0 });

/** Runs tests for targets; never throws for a test failure, only returns verdicts. */
export class Checker implements TestChecker {
  private readonly imports: ImportSearch;

  constructor(private readonly options: CheckerOptions) {
    this.imports = new ImportSearch(options.root);
  }

  get runnerName(): string | undefined {
    return runnerLabel(this.options.setups);
  }

  get warm(): boolean {
    const root = this.options.setups.root;
    return root !== undefined && (this.options.warm?.covers(root) ?? false);
  }

  prepare(): void {
    const root = this.options.setups.root;
    if (root) this.options.warm?.warmUp(root, this.options.timeoutMs);
  }

  close(): Promise<void> {
    return this.options.warm?.close() ?? Promise.resolve();
  }

  async check(target: CheckTarget, signal?: AbortSignal, watch?: CheckWatch): Promise<Verdict> {
    const live = { signal, watch };
    const { setups } = this.options;
    const groups = new Map<TestSetup, string[]>();
    for (const file of target.files) {
      const setup = setups.forFile(file);
      if (setup) groups.set(setup, [...(groups.get(setup) ?? []), file]);
    }
    // The suite: the whole project's, or, with files, that of each package owning one of them.
    if (target.scope === 'suite' && (groups.size === 0 || setups.root?.direct)) {
      return setups.root ? this.run(setups.root, target, live) : this.none(target);
    }
    if (groups.size === 0) return this.none(target);
    const parts: Verdict[] = [];
    for (const [setup, files] of groups) {
      const part = await this.run(
        setup,
        target.scope === 'suite' ? { scope: 'suite', files: [] } : { scope: target.scope, files },
        live,
      );
      const fallback =
        target.scope === 'related' && part.status === 'no_tests'
          ? await this.byImports(setup, files, live)
          : undefined;
      parts.push(fallback ?? part);
    }
    return parts.length === 1 && parts[0] ? parts[0] : mergeVerdicts(parts, target);
  }

  /**
   * The runner found no related test (jest `roots` that leave the sources out, say): fixloop's own
   * search (test files importing the files, or named after them) before concluding there is none.
   */
  private async byImports(
    setup: TestSetup,
    files: readonly string[],
    live: Live,
  ): Promise<Verdict | undefined> {
    const sources = files.filter((f) => !isTestFile(f));
    if (sources.length === 0) return undefined;
    const found = (await this.imports.relatedTests(sources)).filter(
      (f) => this.options.setups.forFile(f) === setup,
    );
    if (found.length === 0) return undefined;
    // Reported as what it stands for: the tests related to the changed files.
    const as = { scope: 'related' as const, files };
    return this.run(setup, { scope: 'files', files: found }, { ...live, as });
  }

  private none(target: CheckTarget): Verdict {
    return finishVerdict({
      status: 'no_tests',
      runner: 'none',
      scope: target.scope,
      files: target.files,
      command: '',
      counts: zero(),
      failures: [],
      exit_code: null,
      duration_ms: 0,
      output_excerpt: '',
    });
  }

  /** One run of `setup`'s runner; `as`: how to report it (scope and files), when not as run. */
  private async run(
    setup: TestSetup,
    target: CheckTarget,
    live: Live & { as?: { scope: CheckTarget['scope']; files: readonly string[] } },
  ): Promise<Verdict> {
    const { signal, watch, as } = live;
    const { root, timeoutMs, isolation } = this.options;
    const scratch = this.options.scratch ?? processScratch;
    const tempFile = (ext: string) =>
      scratch.path(`report-${randomBytes(4).toString('hex')}${ext}`);
    const base = { root, cwd: setup.cwd, env: this.options.env, scratch, tempFile, isolation };
    const instruments = runInstruments(base);
    const { env, progress } = instruments;
    const ctx: RunnerContext = {
      root,
      cwd: setup.cwd,
      scriptArgs: setup.scriptArgs,
      env,
      tempFile,
      progressFile: progress.file,
    };
    const local = {
      ...target,
      files: target.files.map((f) => relativePosix(setup.cwd, join(root, f))),
    };
    const inv = await setup.runner.invocation(local, ctx);
    const head = {
      runner: setup.runner.name,
      scope: as?.scope ?? inv.scope ?? target.scope,
      files: [...(as?.files ?? target.files)],
      command: [inv.file, ...inv.args].join(' '),
      exit_code: null,
      duration_ms: 0,
      output_excerpt: '',
    };
    if (inv.skip) {
      await instruments.finish(false);
      return finishVerdict({ ...head, status: 'no_tests', counts: zero(), failures: [] });
    }
    if (watch) watch.running = () => progress.running();
    // Warm when it can be (a kept runner instance); cold when not, or when the warm one fails.
    const warm = await this.options.warm?.run(setup, local.scope, local.files, {
      timeoutMs,
      signal,
      progressFile: progress.file,
    });
    const result =
      warm?.result ??
      (await this.options.processRunner.run(inv.file, inv.args, {
        cwd: setup.cwd,
        env,
        timeoutMs,
        ...(signal ? { signal } : {}),
      }));
    if (watch) watch.running = undefined;
    const report = warm ? warm.report : await readFileOrUndefined(inv.reportFile);
    const { foreign, running, passed } = await instruments.finish(
      result.timedOut || result.aborted,
    );
    const common = {
      ...head,
      ...(foreign.length ? { foreign_reads: foreign } : {}),
      ...(running.length ? { running } : {}),
      ...(warm ? { command: warm.result.command, warm: true } : {}),
      exit_code: result.exitCode,
      duration_ms: result.durationMs,
      output_excerpt: result.output,
    };
    const v = verdictOfRun({ setup, ctx, result, report, common, timeoutMs, running, passed });
    return this.options.sandboxed ? hinted(v) : v;
  }
}
