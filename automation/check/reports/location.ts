/**
 * Where a test failed, from the stack a runner reports: `location` is the line of the test file
 * (`test/x.test.ts:15:24`), `source` the line of the project's own code that threw, when the error
 * came from there. Frames of dependencies and of Node are never chosen.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Located {
  /** `file:line[:col]` in the test file (relative to the project root, `/`). */
  location?: string;
  /** `file:line[:col]` of the project's code where the error was thrown, when not the test. */
  source?: string;
}

interface Frame {
  file: string;
  line: string;
  col?: string | undefined;
}

/** `fn (path:1:2)`, `at path:1:2`, or a bare `path:1:2` line (node:test's TAP stack). */
const PAREN = /\(((?:file:\/\/|\/|[A-Za-z]:\\)[^()]*?):(\d+):(\d+)\)\s*$/;
const BARE = /^\s*(?:at\s+)?((?:file:\/\/|\/|[A-Za-z]:\\)\S*?):(\d+):(\d+)\s*$/;

/** The frames of a JavaScript stack, deepest first, relative to `root` (others dropped). */
function jsFrames(text: string, root: string): Frame[] {
  const frames: Frame[] = [];
  for (const line of text.split('\n')) {
    const m = PAREN.exec(line) ?? BARE.exec(line);
    if (!m?.[1]) continue;
    const abs = m[1].startsWith('file://') ? safePath(m[1]) : m[1];
    const rel = abs && projectFile(abs, root);
    if (rel) frames.push({ file: rel, line: m[2] ?? '', col: m[3] });
  }
  return frames;
}

const safePath = (url: string) => {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
};

/** `abs` relative to `root` with `/`, when it is the project's own file (not a dependency). */
function projectFile(abs: string, root: string): string | undefined {
  if (!isAbsolute(abs)) return undefined;
  const rel = relative(root, abs);
  if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
  const parts = rel.split(sep);
  if (parts.includes('node_modules') || parts.includes('site-packages')) return undefined;
  return parts.join('/');
}

const text = (f: Frame) => `${f.file}:${f.line}${f.col ? `:${f.col}` : ''}`;

/** The test file's frame, and the project frame deeper than it (where the error was thrown). */
function pick(frames: Frame[], testFile: string | null): Located {
  const at = testFile ? frames.findIndex((f) => f.file === testFile) : -1;
  if (at < 0) return frames[0] ? { location: text(frames[0]) } : {};
  const thrown = frames.slice(0, at).find((f) => f.file !== testFile);
  return { location: text(frames[at] as Frame), ...(thrown ? { source: text(thrown) } : {}) };
}

/** Where a JavaScript test failed, from its failure text (jest, vitest, node:test). */
export function locateJs(failure: string, root: string, testFile: string | null): Located {
  return pick(jsFrames(failure, root), testFile);
}

/**
 * Where a pytest test failed, from its `--tb=short` block (`tests/test_x.py:5: in test_x`
 * entries, outermost first); paths are relative to pytest's folder, `cwdRel` from the root.
 */
export function locatePython(block: string, testFile: string | null, cwdRel = ''): Located {
  const frames: Frame[] = [];
  for (const m of block.matchAll(/^(\S+?\.py):(\d+): (?:in \S+|\w+)/gm)) {
    const file = m[1] ?? '';
    if (isAbsolute(file) || file.includes('site-packages')) continue;
    frames.unshift({ file: cwdRel ? `${cwdRel}/${file}` : file, line: m[2] ?? '' });
  }
  return pick(frames, testFile);
}
