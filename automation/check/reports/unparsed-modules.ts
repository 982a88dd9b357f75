/**
 * vitest's report of a module it could not parse or transform, read as the parser's message and
 * where (`Unexpected token (src/math.js:2:12)`) instead of the report's header.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Reading } from '../runner.js';

type Cause = (excerpt: string, root: string) => string | undefined;

/** `Parse failure: …`, the error on the next line, then `At file: /src/math.js:2:12` (vitest 5). */
const PARSE_FAILURE =
  /^Parse failure:[^\n]*\n(?!At file:)([^\n]+)\n[\s\S]*?At file: ([^\n]+:\d+:\d+)/;

/** oxc's `[PARSE_ERROR] Unexpected token` then `╭─[ src/defu.ts:72:11 ]` (vitest 4.1 and 5). */
const OXC_TRANSFORM =
  /^Transform failed with \d+ errors?:\s*\n\s*(?:\[\w+\]\s*)?(.+)\n\s*╭─\[\s*(.+?:\d+:\d+)\s*\]/;

/** esbuild's `/abs/src/x.ts:1:62: ERROR: Expected ";"` (vitest before 4). */
const ESBUILD_TRANSFORM =
  /^Transform failed with \d+ errors?:\s*\n(.+?):(\d+:\d+): ERROR: ([^\n]+)/;

/**
 * `file` relative to `root`: vitest 4 names it absolutely, vitest 5 from the root with a leading
 * slash (`/src/math.js`), oxc relatively.
 */
function place(file: string, root: string): string {
  if (file.startsWith(`${root}/`)) return file.slice(root.length + 1);
  const [path = ''] = file.split(':');
  return file.startsWith('/') && existsSync(join(root, path)) ? file.slice(1) : file;
}

const CAUSES: Cause[] = [
  (text, root) => {
    const m = PARSE_FAILURE.exec(text);
    return m ? `${m[1]?.trim()} (${place(m[2] ?? '', root)})` : undefined;
  },
  (text, root) => {
    const m = OXC_TRANSFORM.exec(text);
    return m ? `${m[1]?.trim()} (${place(m[2] ?? '', root)})` : undefined;
  },
  (text, root) => {
    const m = ESBUILD_TRANSFORM.exec(text);
    if (!m) return undefined;
    return `${m[3]?.trim()} (${place(`${m[1]}:${m[2]}`, root)})`;
  },
];

/** The parser's message and where, when `text` is vitest's report of an unparsable module. */
export function unparsedCause(text: string, root: string): string | undefined {
  return CAUSES.map((cause) => cause(text, root)).find(Boolean);
}

/**
 * A module vitest cannot parse is a test file that failed with no test run (vitest 5 for any
 * module, 4.1 for a transformed one; vitest 4 failed the whole run for plain JS): each such
 * failure gets the parser's message, and when nothing else ran, the run could not run (`error`),
 * as the same break in plain JS on vitest 4.
 */
export function unparsedModules(reading: Reading, root: string): Reading {
  let unparsed = 0;
  const failures = reading.failures.map((f) => {
    const message = unparsedCause(f.excerpt, root);
    if (!message) return f;
    unparsed++;
    return { ...f, message };
  });
  if (!unparsed) return reading;
  const error = reading.counts.total === 0 && unparsed === failures.length;
  return { ...reading, failures, ...(error ? { status: 'error' as const } : {}) };
}
