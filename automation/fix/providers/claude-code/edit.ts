/**
 * What Claude Code's Edit and Write tools will leave on disk, computed before they run so the
 * journal knows the content first. It mirrors Claude Code 2.1: reads normalise CRLF to LF, an
 * Edit finds `old_string` modulo curly quotes and keeps the file's quote style, an empty
 * `new_string` also takes the line's newline, and the file's dominant line ending is restored.
 * A version that differs is caught after the write (the gate compares), never trusted blindly.
 */

const LEFT_SINGLE = '\u2018';
const RIGHT_SINGLE = '\u2019';
const LEFT_DOUBLE = '\u201C';
const RIGHT_DOUBLE = '\u201D';

const straightQuotes = (s: string) =>
  s
    .replaceAll(LEFT_SINGLE, "'")
    .replaceAll(RIGHT_SINGLE, "'")
    .replaceAll(LEFT_DOUBLE, '"')
    .replaceAll(RIGHT_DOUBLE, '"');

/** CRLF when the first 4096 characters hold more CRLF than bare LF line ends. */
export function lineEndings(text: string): 'CRLF' | 'LF' {
  let crlf = 0;
  let lf = 0;
  const head = text.slice(0, 4096);
  for (let i = 0; i < head.length; i++)
    if (head[i] === '\n') i > 0 && head[i - 1] === '\r' ? crlf++ : lf++;
  return crlf > lf ? 'CRLF' : 'LF';
}

/** The text in `file` that `search` means, allowing curly quotes for straight ones. */
function actualOld(file: string, search: string): string {
  if (file.includes(search)) return search;
  const at = straightQuotes(file).indexOf(straightQuotes(search));
  return at === -1 ? search : file.substring(at, at + search.length);
}

const opensQuote = (chars: string[], i: number) =>
  i === 0 ||
  [' ', '\t', '\n', '\r', '(', '[', '{', '\u2014', '\u2013'].includes(chars[i - 1] ?? '');

/**
 * When the file used curly quotes where the model typed straight ones, the new text follows the
 * file.
 */
function keepQuoteStyle(search: string, actual: string, replacement: string): string {
  if (search === actual) return replacement;
  const doubles = actual.includes(LEFT_DOUBLE) || actual.includes(RIGHT_DOUBLE);
  const singles = actual.includes(LEFT_SINGLE) || actual.includes(RIGHT_SINGLE);
  let out = replacement;
  if (doubles) {
    const c = [...out];
    out = c
      .map((ch, i) => (ch === '"' ? (opensQuote(c, i) ? LEFT_DOUBLE : RIGHT_DOUBLE) : ch))
      .join('');
  }
  if (singles) {
    const c = [...out];
    out = c
      .map((ch, i) => {
        if (ch !== "'") return ch;
        const letters =
          i > 0 &&
          /\p{L}/u.test(c[i - 1] ?? '') &&
          i < c.length - 1 &&
          /\p{L}/u.test(c[i + 1] ?? '');
        return letters ? RIGHT_SINGLE : opensQuote(c, i) ? LEFT_SINGLE : RIGHT_SINGLE;
      })
      .join('');
  }
  return out;
}

function replace(text: string, search: string, replacement: string, all: boolean): string {
  const apply = (t: string, s: string) =>
    all ? t.replaceAll(s, () => replacement) : t.replace(s, () => replacement);
  if (replacement !== '') return apply(text, search);
  // Deleting a whole line deletes its newline too.
  return !search.endsWith('\n') && text.includes(`${search}\n`)
    ? apply(text, `${search}\n`)
    : apply(text, search);
}

/** The content `tool` (Edit or Write) leaves, given the file's current text (null: no file). */
export function claudeCodeResult(
  tool: string,
  input: Record<string, unknown>,
  current: string | null,
): string {
  if (tool === 'Write') return String(input.content ?? '');
  const endings = current === null ? 'LF' : lineEndings(current);
  const file = (current ?? '').replaceAll('\r\n', '\n');
  const search = String(input.old_string ?? '');
  const actual = actualOld(file, search);
  const replacement = keepQuoteStyle(search, actual, String(input.new_string ?? ''));
  const updated =
    actual === '' ? replacement : replace(file, actual, replacement, input.replace_all === true);
  return endings === 'CRLF' ? updated.replaceAll('\r\n', '\n').split('\n').join('\r\n') : updated;
}
