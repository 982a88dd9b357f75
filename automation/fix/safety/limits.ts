/** Size and content limits every fixer read and write obeys. */

/** Files over this size are never read into a prompt or written by a fix. */
export const MAX_FILE_BYTES = 1_000_000;

/** A NUL byte in the first 8 kB marks a binary file, which fixes never touch. */
export const isBinary = (buf: Buffer) => buf.subarray(0, 8000).includes(0);
