/** Text from tasks (test output, descriptions) made safe for a terminal: no stray control codes. */

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what is removed.
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what is removed.
const CONTROLS = /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f]/g;
/** An ESC that starts no colour code kept above (`ESC c` resets a terminal, `ESC ( 0`…). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ESC is what is removed.
const STRAY_ESC = /\u001b(?!\[[0-9;]*m)/g;
/** Colour codes (SGR): the only escape sequence kept, and only when colour is on. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts every colour code.
const SGR = /^\u001b\[[0-9;]*m$/;

/**
 * Removes terminal control codes (cursor moves, titles, bells…); colour codes are kept only
 * when `keepColour` (NO_COLOR and non-terminals get plain text).
 */
export function terminalText(text: string, keepColour: boolean): string {
  return text
    .replace(ESCAPES, (seq) => (keepColour && SGR.test(seq) ? seq : ''))
    .replace(CONTROLS, '')
    .replace(STRAY_ESC, '');
}
