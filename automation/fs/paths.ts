/** Paths as the state stores them: relative to a root, with `/` on every platform. */
import { isAbsolute, relative, sep } from 'node:path';

/** `abs` relative to `root` with `/`, or undefined when `abs` is outside `root`. */
export function toRelative(root: string, abs: string): string | undefined {
  const rel = relative(root, abs);
  if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return toPosix(rel);
}

/** A relative path with the platform's separators turned into `/`. */
export function toPosix(rel: string): string {
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/** `abs` relative to `root` with `/`, whether or not it is inside (`../` stays). */
export function relativePosix(root: string, abs: string): string {
  return toPosix(relative(root, abs));
}
