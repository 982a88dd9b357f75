/**
 * What one test run carries besides the runner's own report: its progress (which tests started
 * and ended, see progress.ts) and, for a copy of the project, the isolation tracer's record of
 * files read from the checkout (isolation.ts). Made before the run, read after it.
 */
import { delimiter } from 'node:path';
import type { Scratch } from '../../fs/scratch.js';
import { type CopyIsolation, foreignReads } from './isolation.js';
import { PROGRESS_ENV, ProgressLog, type RunningTest } from './progress.js';
import { pytestPluginDir } from './python-progress.js';

/** The instruments of one run. */
export interface RunInstruments {
  /** The run's environment: the base, plus what the instruments need. */
  env: NodeJS.ProcessEnv;
  progress: ProgressLog;
  /**
   * After the run: the files read from the checkout, what was still running if cut short, and the
   * tests the progress saw pass.
   */
  finish(cut: boolean): Promise<{ foreign: string[]; running: RunningTest[]; passed: string[] }>;
}

const pluginDirs = new WeakMap<Scratch, string>();

/** Instruments for a run of the project at `root` whose runner works in `cwd`. */
export function runInstruments(input: {
  root: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  scratch: Scratch;
  tempFile: (ext: string) => string;
  isolation: CopyIsolation | undefined;
}): RunInstruments {
  const { scratch, isolation } = input;
  let plugins = pluginDirs.get(scratch);
  if (!plugins) {
    plugins = pytestPluginDir(scratch.path('python-progress'));
    pluginDirs.set(scratch, plugins);
  }
  const progress = new ProgressLog(input.tempFile('.progress'), input.root, input.cwd);
  const trace = isolation ? input.tempFile('.trace') : undefined;
  const traced = trace ? isolation?.env(input.env, trace) : undefined;
  const pythonPath = traced?.PYTHONPATH ?? input.env.PYTHONPATH;
  const env = {
    ...input.env,
    ...traced,
    [PROGRESS_ENV]: progress.file,
    PYTHONPATH: [plugins, pythonPath].filter(Boolean).join(delimiter),
  };
  return {
    env,
    progress,
    async finish(cut) {
      const running = cut ? progress.running() : [];
      const passed = progress.passed();
      progress.dispose();
      return { foreign: trace ? await foreignReads(trace) : [], running, passed };
    },
  };
}
