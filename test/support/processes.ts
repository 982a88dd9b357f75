/** The live processes of this machine, as /proc shows them (Linux). */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Live (not zombie) processes whose working directory is `dir`. */
export function processesIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        return readlinkSync(`/proc/${p}/cwd`) === dir && !/^\d+ \(.*\) [ZX]/.test(stat);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Polls until at most `most` live processes work in `dir`; returns those there at the end. */
export async function untilAtMostIn(dir: string, most: number, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left = processesIn(dir);
    if (left.length <= most || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls until no live process works in `dir`; returns those left after `timeoutMs`. */
export const untilNoProcessIn = (dir: string, timeoutMs = 15_000): Promise<number[]> =>
  untilAtMostIn(dir, 0, timeoutMs);

/** The command line of process `pid`, its arguments joined by spaces ('' once it is gone). */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}
