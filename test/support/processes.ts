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

/** Polls until no live process works in `dir`; returns those left after `timeoutMs`. */
export async function untilNoProcessIn(dir: string, timeoutMs = 15_000): Promise<number[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left = processesIn(dir);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}
