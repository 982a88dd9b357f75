/**
 * Test runs of a copy of the project (the export of HEAD, a work order's worktree) test the copy:
 * Python's editable installs of the checkout are pointed at the copy (python-trace.ts), and the
 * tracers (trace.ts, python-trace.ts) record every file a run still read from the checkout.
 */
import { realpathSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixloopPackage } from '../../fs/package-root.js';
import { pythonTraceDir } from './python-trace.js';
import { TRACE_ENV } from './trace-rule.js';

/** How a checker of a copy isolates its runs. */
export interface CopyIsolation {
  /** Variables for one run whose foreign reads go to `traceFile` (on top of `base`). */
  env(base: NodeJS.ProcessEnv, traceFile: string): Record<string, string>;
}

export interface CopyIsolationOptions {
  /** The developer's checkout (its repository root). */
  source: string;
  /** The copy's repository root (the export's folder, the worktree). */
  copy: string;
  /** A folder of fixloop's own for the Python tracer. */
  instrumentDir: string;
}

/** The built preload (dist/check/instrument/trace.js), as NODE_OPTIONS takes it. */
const preload = () =>
  pathToFileURL(join(fixloopPackage().root, 'dist/check/instrument/trace.js')).href;

const real = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/** The isolation of runs in `options.copy`. */
export function copyIsolation(options: CopyIsolationOptions): CopyIsolation {
  const source = real(options.source);
  const copy = real(options.copy);
  const pythonDir = pythonTraceDir(join(options.instrumentDir, 'python'));
  return {
    env(base, traceFile) {
      const joined = (...parts: Array<string | undefined>) =>
        parts.filter((p): p is string => !!p).join(delimiter);
      return {
        [TRACE_ENV.source]: source,
        [TRACE_ENV.copy]: copy,
        [TRACE_ENV.out]: traceFile,
        NODE_OPTIONS: [base.NODE_OPTIONS, `--import=${preload()}`].filter(Boolean).join(' '),
        PYTHONPATH: joined(pythonDir, base.PYTHONPATH),
      };
    },
  };
}

/** The files a run read from the checkout (relative, `/`), from its trace; removes the trace. */
export async function foreignReads(traceFile: string, max = 10): Promise<string[]> {
  try {
    const text = await readFile(traceFile, 'utf8');
    return [...new Set(text.split('\n').filter(Boolean))].slice(0, max);
  } catch {
    return [];
  } finally {
    await rm(traceFile, { force: true });
  }
}
