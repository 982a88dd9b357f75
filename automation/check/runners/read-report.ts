/** Reads and removes a runner's report file. */
import { readFile, rm } from 'node:fs/promises';

/** The report's text, or undefined when the runner wrote none (or an empty one). */
export async function readFileOrUndefined(file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  try {
    const text = await readFile(file, 'utf8');
    return text.trim() ? text : undefined;
  } catch {
    return undefined;
  } finally {
    await rm(file, { force: true });
  }
}
