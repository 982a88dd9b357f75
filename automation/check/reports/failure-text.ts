/**
 * Turns a runner's raw failure text into a one-line cause (with expected/received) and an excerpt.
 */
import { stripAnsi } from '../verdict.js';
import { unparsedCause } from './unparsed-modules.js';

/** A stack frame line: `    at fn (file:1:2)` or `    at file:1:2`. */
const FRAME = /^\s*at\s/;
/** Frames nobody reading a failure needs: dependencies and Node's internals. */
const NOISE_FRAME =
  /^\s*at\s.*(node_modules[\\/]|node:internal|\(<anonymous>\)|^\s*at <anonymous>)/;
const VALUE_LINE = /^\s*(Expected|Received|expected|received|actual|Actual)\b.*?:\s*\S/;

/**
 * The cause in one line: the error's first line, plus its Expected/Received lines when the
 * runner printed them on lines of their own (jest does), e.g.
 * `expect(received).toBe(expected) // Object.is equality — Expected: 5, Received: -1`.
 */
export function causeOf(raw: string): string {
  const lines = stripAnsi(raw).split('\n');
  const head: string[] = [];
  for (const line of lines) {
    if (FRAME.test(line)) break;
    head.push(line);
  }
  // jest heads a suite's error with `● Test suite failed to run`: the cause is the line after.
  const meaningful = head.map((l) => l.trim()).filter((l) => l !== '' && !/^●\s/.test(l));
  const first = meaningful[0]?.replace(/^Error: /, '') ?? '';
  const values = head.filter((l) => VALUE_LINE.test(l)).map((l) => l.trim().replace(/\s+/g, ' '));
  return values.length ? `${first} — ${values.join(', ')}` : first;
}

/** The failure text without colour codes and without dependency and Node-internal stack frames. */
export function cleanExcerpt(raw: string): string {
  return stripAnsi(raw)
    .split('\n')
    .filter((line) => !NOISE_FRAME.test(line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A value from a runner's structured report, as short text (JSON for objects). */
export function valueText(value: unknown, max = 300): string {
  const text =
    typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The cause of an error a runner printed outside any test (vitest's "Unhandled Error" block: a
 * file that does not parse, a rejection nobody awaited), in one line with the file it names
 * relative to `root`; undefined when the output has none.
 */
export function unhandledCause(output: string, root: string): string | undefined {
  const text = stripAnsi(output);
  // The header of one error (`⎯⎯ Unhandled Rejection ⎯⎯`), not the summary (`Unhandled Errors`).
  const at = text.search(/⎯+ ?Unhandled (Error|Rejection) ?⎯/);
  if (at < 0) return undefined;
  const lines = text
    .slice(at)
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^⎯+/.test(l));
  const head = lines[0];
  if (!head) return undefined;
  // The first error's own lines (up to vitest's next ⎯⎯ rule): never another error's place.
  const own = text.slice(at).split('\n').slice(1);
  const end = own.findIndex((l) => /^\s*⎯{3,}/.test(l));
  const first = (end < 0 ? own : own.slice(0, end)).map((l) => l.trim()).filter(Boolean);
  const parser = unparsedCause(first.join('\n').replace(/^[A-Za-z]*Error: /, ''), root);
  if (parser) return parser;
  let cause = head.replace(/^[A-Za-z]*Error: /, '');
  const next = lines[1];
  // "Parse failed with 1 error:" says what follows: the next line is the error itself.
  if (cause.endsWith(':') && next && !/^(\d+\s*[:|]|[|❯]|at\s)/.test(next)) cause += ` ${next}`;
  const file = /(?:At file:|❯)\s*(\S+?:\d+:\d+)/.exec(text.slice(at))?.[1];
  const where = file?.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
  return where ? `${cause} (${where})` : cause;
}
