/**
 * The isolation tracer, preloaded into a test run of a copy of the project (NODE_OPTIONS
 * `--import`): every file the run resolves or reads is checked by the rule in trace-rule.ts, so a
 * run that reached into the developer's checkout (an `npm link`, a workspace link, a tsconfig
 * path, an absolute import) is seen. It watches fs reads (jest, vite and vitest read sources
 * themselves), CommonJS resolution and ES module resolution; it changes nothing they return.
 */
import fs from 'node:fs';
import Module from 'node:module';
import { tracer } from './trace-rule.js';

const note = tracer(process.env);

type Fn = (...args: unknown[]) => unknown;

/** Wraps `target[key]` so its first argument is noted first. */
function watch(target: object, key: string): void {
  const original = (target as Record<string, unknown>)[key];
  if (typeof original !== 'function' || !note) return;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    note(args[0]);
    return (original as Fn).apply(this, args);
  };
  Object.defineProperty(wrapped, 'name', { value: original.name });
  (target as Record<string, unknown>)[key] = wrapped;
}

if (note) {
  try {
    for (const key of ['readFileSync', 'readFile', 'openSync', 'open', 'createReadStream'])
      watch(fs, key);
    for (const key of ['readFile', 'open']) watch(fs.promises, key);
    const M = Module as unknown as { _resolveFilename?: Fn; registerHooks?: Fn; register?: Fn };
    const resolveFilename = M._resolveFilename;
    if (typeof resolveFilename === 'function') {
      M._resolveFilename = function (this: unknown, ...args: unknown[]) {
        const found = resolveFilename.apply(this, args);
        note(found);
        return found;
      };
    }
    if (typeof M.registerHooks === 'function') {
      M.registerHooks({
        resolve(specifier: string, context: unknown, next: Fn) {
          const result = next(specifier, context) as { url?: string };
          if (result.url?.startsWith('file:')) note(result.url);
          return result;
        },
      });
    } else if (typeof M.register === 'function') {
      M.register(new URL('./trace-hooks.js', import.meta.url).href);
    }
  } catch {
    /* the tracer never breaks a run: at worst it sees less */
  }
}
