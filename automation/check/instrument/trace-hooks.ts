/**
 * ES module resolution hooks of the isolation tracer, for Node versions without
 * `module.registerHooks` (they run on the loader's own thread; see trace.ts).
 */
import { tracer } from './trace-rule.js';

const note = tracer(process.env);

type Next = (specifier: string, context: unknown) => Promise<{ url: string }>;

/** Notes every file an `import` resolves to; the resolution itself is unchanged. */
export async function resolve(specifier: string, context: unknown, next: Next) {
  const result = await next(specifier, context);
  if (note && result.url.startsWith('file:')) note(result.url);
  return result;
}
