/** Size and content limits every fixer read and write obeys. */
import { isUtf8 } from 'node:buffer';

/** Files over this size are never read into a prompt or written by a fix. */
export const MAX_FILE_BYTES = 1_000_000;

/** A NUL byte in the first 8 kB marks a binary file, which fixes never touch. */
export const isBinary = (buf: Buffer) => buf.subarray(0, 8000).includes(0);

/**
 * Text fixes may edit: UTF-8 that decodes losslessly. A Latin-1 file read as UTF-8 and written
 * back would lose every accented byte, so such files are refused for edits.
 */
export const isEditableText = (buf: Buffer) => isUtf8(buf);

/** Why a file that exists may not be written by a fix, or null (every write command). */
export function writeRefusalFor(rel: string, existing: Buffer): string | null {
  if (existing.length > MAX_FILE_BYTES) return `${rel} is over ${MAX_FILE_BYTES} bytes`;
  if (isBinary(existing)) return `${rel} is a binary file`;
  if (!isEditableText(existing)) {
    return `${rel} is not UTF-8 text; an edit would change bytes outside it`;
  }
  return null;
}
