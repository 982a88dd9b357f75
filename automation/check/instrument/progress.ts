/**
 * A test run's progress, as the runner's reporter (vitest-progress.ts, jest-progress.ts,
 * node-test-progress.ts, the pytest plugin) appends it to a file: which files and tests started
 * and ended. Read incrementally; what started and never ended is what a cut-short run (a timeout,
 * a newer save) was still running. Events: `{e, id?, name?, file?, line?, names?, t}` a line.
 */
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fixloopPackage } from '../../fs/package-root.js';

/** The environment variable naming the progress file for reporters. */
export const PROGRESS_ENV = 'FIXLOOP_PROGRESS_FILE';

/** A built reporter of this folder (`vitest-progress.js`…), for a runner's command line. */
export const reporterPath = (name: string) =>
  join(fixloopPackage().root, 'dist/check/instrument', name);

/** A test (or, where the runner said no more, a test file) that started and has not ended. */
export interface RunningTest {
  /** The test's full name; null when only its file is known to be running. */
  name: string | null;
  /** Relative to the project root, `/`. */
  file: string | null;
  /** `file:line` of the test, when the runner said. */
  location?: string;
  /** When it started (ms since the epoch). */
  since: number;
  /** For a file: its tests that had not ended (the one running is among them). */
  unfinished?: string[];
}

interface Event {
  e: 'file' | 'tests' | 'start' | 'end' | 'file-end';
  /** On `end`: the test passed (reporters that know say so). */
  ok?: boolean;
  id?: string;
  name?: string;
  file?: string;
  line?: number;
  names?: string[];
  t?: number;
}

/** The progress file of one run; `cwd`: where the runner ran (relative paths start there). */
export class ProgressLog {
  private offset = 0;
  private partial = '';
  private readonly tests = new Map<string, RunningTest>();
  private readonly passedIds: string[] = [];
  private readonly files = new Map<string, { since: number; names: string[]; done: Set<string> }>();

  constructor(
    readonly file: string,
    private readonly root: string,
    private readonly cwd: string,
  ) {}

  /** What is running now (tests if known, else the files), read from the file's new lines. */
  running(): RunningTest[] {
    this.poll();
    if (this.tests.size) return [...this.tests.values()];
    return [...this.files].map(([file, f]) => ({
      name: null,
      file,
      since: f.since,
      unfinished: f.names.filter((n) => !f.done.has(n)),
    }));
  }

  /** Tests that ended passing, as `file > name` (for runners whose report does not say). */
  passed(): string[] {
    this.poll();
    return [...this.passedIds];
  }

  /** Removes the file. */
  dispose(): void {
    rmSync(this.file, { force: true });
  }

  private rel(file: string | undefined): string | null {
    if (!file) return null;
    const abs = file.startsWith('file://') ? new URL(file).pathname : file;
    const rel = relative(this.root, isAbsolute(abs) ? abs : join(this.cwd, abs));
    return rel.split(sep).join('/');
  }

  private poll(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return; // nothing reported yet
    }
    try {
      const chunk = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        this.partial += chunk.toString('utf8', 0, n);
      }
    } finally {
      closeSync(fd);
    }
    const lines = this.partial.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        this.apply(JSON.parse(line) as Event);
      } catch {
        /* a line that is not ours */
      }
    }
  }

  private apply(ev: Event): void {
    const file = this.rel(ev.file);
    const since = ev.t ?? Date.now();
    if (ev.e === 'file' && file) {
      if (!this.files.has(file)) this.files.set(file, { since, names: [], done: new Set() });
    } else if (ev.e === 'tests' && file) {
      const f = this.files.get(file) ?? { since, names: [], done: new Set<string>() };
      f.names = ev.names ?? [];
      this.files.set(file, f);
    } else if (ev.e === 'file-end' && file) {
      this.files.delete(file);
    } else if (ev.e === 'start' && ev.id) {
      const location = file && ev.line ? `${file}:${ev.line}` : undefined;
      this.tests.set(ev.id, {
        name: ev.name ?? ev.id,
        file,
        since,
        ...(location ? { location } : {}),
      });
    } else if (ev.e === 'end' && ev.id) {
      const test = this.tests.get(ev.id);
      const name = ev.name ?? test?.name;
      if (ev.ok && name) this.passedIds.push(file ? `${file} > ${name}` : name);
      this.tests.delete(ev.id);
      if (test?.file && test.name) this.files.get(test.file)?.done.add(test.name);
    }
  }
}

/** `test/x.test.js > spins (12 s)`, or `test/x.test.js (a test of it: a, b)` for a file. */
export function describeRunning(tests: readonly RunningTest[], now: number): string {
  return tests
    .slice(0, 3)
    .map((t) => {
      const secs = `${Math.max(0, Math.round((now - t.since) / 1000))} s`;
      if (t.name === null) {
        const left = t.unfinished ?? [];
        const more = left.length > 3 ? ` and ${left.length - 3} more` : '';
        const which = left.length ? `; not finished: ${left.slice(0, 3).join(', ')}${more}` : '';
        return `a test of ${t.file ?? 'the run'} (${secs}${which})`;
      }
      return `${t.file ? `${t.file} > ` : ''}${t.name} (${secs})`;
    })
    .join('; ');
}
