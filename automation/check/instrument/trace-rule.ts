/**
 * The rule of the isolation tracer (preloaded into test runs of a copy of the project): a file
 * read from the developer's checkout, where the copy has its own version of it, means the run
 * did not test the copy. Self-contained: it runs inside the project's test processes.
 */
import { appendFileSync, existsSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the tracer is told through the environment (see isolation.ts). */
export const TRACE_ENV = {
  /** The developer's checkout (real path). */
  source: 'FIXLOOP_TRACE_SOURCE',
  /** The copy the run should read instead (real path). */
  copy: 'FIXLOOP_TRACE_COPY',
  /** Where each foreign file is appended, one relative path a line. */
  out: 'FIXLOOP_TRACE_FILE',
} as const;

/** At most this many paths are looked at per process (a bound on the tracer's own cost). */
const MAX_SEEN = 200_000;

/** Records `path` when it is a file of the checkout that the copy also has; never throws. */
export function tracer(env: NodeJS.ProcessEnv): ((path: unknown) => void) | undefined {
  const source = env[TRACE_ENV.source];
  const copy = env[TRACE_ENV.copy];
  const out = env[TRACE_ENV.out];
  if (!source || !copy || !out) return undefined;
  // The originals: the tracer may patch what it uses.
  const real = realpathSync.native;
  const there = existsSync;
  const append = appendFileSync;
  const seen = new Set<string>();
  return (path: unknown) => {
    try {
      const given = path instanceof URL ? path.href : path;
      if (typeof given !== 'string' || seen.has(given) || seen.size > MAX_SEEN) return;
      seen.add(given);
      if (given.startsWith('node:')) return;
      const abs = real(given.startsWith('file:') ? fileURLToPath(given) : given);
      if (!abs.startsWith(source + sep)) return;
      const parts = abs.slice(source.length + 1).split(sep);
      if (parts.includes('node_modules') || parts[0] === '.git') return;
      if (there(join(copy, ...parts))) append(out, `${parts.join('/')}\n`);
    } catch {
      /* not a file, or gone: nothing to record */
    }
  };
}
