/** Content hashes: how fixloop recognises its own writes and a file's state at a moment. */
import { createHash } from 'node:crypto';

/** sha256 of file content, hex. */
export function contentHash(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
