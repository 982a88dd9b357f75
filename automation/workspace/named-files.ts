/**
 * Files named by a work order (`--file`, `files` of POST /tasks, a split part, a job record) are
 * untrusted input: each is read only if the fix sandbox would let it be edited (inside the project
 * after resolving symbolic links, never `.git`, `node_modules`, `.env*`, secret-named files,
 * fixloop's own files or FIX_PROTECT matches). Where a name enters it is refused; where it was
 * already accepted (a planner's split, a job from the queue) it is dropped with a note.
 */
import type { Config } from '../config/config.js';
import { Sandbox } from '../fix/safety/sandbox.js';
import { ownPaths } from './working-tree.js';

/** A named file that may not be read, and why. */
export interface RefusedName {
  file: string;
  reason: string;
}

/** The sandbox that judges names for the project itself (where orders enter). */
export function projectNames(config: Config): Sandbox {
  return new Sandbox({
    root: config.projectRoot,
    ownPaths: ownPaths(config),
    allowTestEdits: true,
    protect: config.fix.protect,
  });
}

/** `files` split into those `sandbox` lets be read and those it refuses (with the reason). */
export function screenNames(
  sandbox: Sandbox,
  files: readonly string[],
): { kept: string[]; refused: RefusedName[] } {
  const kept: string[] = [];
  const refused: RefusedName[] = [];
  for (const file of files) {
    const reason = sandbox.nameRefusal(file);
    if (reason) refused.push({ file, reason });
    else kept.push(file);
  }
  return { kept, refused };
}
