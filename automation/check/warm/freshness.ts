/** Keeping a long-lived vitest current with the disk, and finding the tests a change touches. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunRequest } from './protocol.js';
import type { Spec, VitestLike } from './vitest-like.js';

const signature = (file: string) => {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return 'gone';
  }
};

/**
 * Keeps vitest's transforms current: vite's own watcher is off, so every module it has seen is
 * compared with the disk before each run, and what changed (or the request names) is
 * invalidated. A new test file joins its project; a deleted one leaves.
 */
export class Freshness {
  private readonly seen = new Map<string, string>();
  constructor(private readonly vitest: VitestLike) {}

  update(named: readonly string[]): { deleted: string[] } {
    const changed = new Set(named);
    for (const file of this.graphFiles()) {
      const now = signature(file);
      const before = this.seen.get(file);
      if (before !== undefined && before !== now) changed.add(file);
      this.seen.set(file, now);
    }
    const deleted: string[] = [];
    let structural = false;
    for (const file of changed) {
      this.vitest.invalidateFile(file);
      if (!existsSync(file)) {
        deleted.push(file);
        this.vitest.watcher?.onFileDelete?.(file);
        structural = true;
        continue;
      }
      this.vitest.watcher?.invalidates?.add(file);
      const known = this.vitest.getModuleSpecifications(file).length > 0;
      if (!known && this.vitest.projects.some((p) => p.matchesTestGlob?.(file))) structural = true;
    }
    if (structural) this.vitest.clearSpecificationsCache();
    return { deleted };
  }

  private *graphFiles(): Iterable<string> {
    for (const project of this.vitest.projects)
      for (const env of Object.values(project.vite.environments ?? {}))
        yield* env.moduleGraph.fileToModulesMap.keys();
  }
}

/** Specs importing one of `files`, walking the module graph (when vitest's own walk fails). */
function importersOf(vitest: VitestLike, files: readonly string[]): Spec[] {
  const seen = new Set<string>();
  const specs: Spec[] = [];
  const visit = (file: string | null | undefined) => {
    if (!file || seen.has(file)) return;
    seen.add(file);
    specs.push(...vitest.getModuleSpecifications(file));
    for (const project of vitest.projects)
      for (const env of Object.values(project.vite.environments ?? {}))
        for (const mod of env.moduleGraph.getModulesByFile(file) ?? [])
          for (const importer of mod.importers) visit(importer.file);
  };
  for (const file of files) visit(file);
  return unique(specs);
}

const unique = (specs: Spec[]) => [
  ...new Map(specs.map((s) => [`${s.project.name}\0${s.moduleId}`, s])).values(),
];

/** The specs a request runs, as the matching `vitest` command would pick them. */
export async function specsFor(
  vitest: VitestLike,
  fresh: Freshness,
  req: RunRequest,
  cwd: string,
): Promise<Spec[]> {
  const abs = req.files.map((f) => resolve(cwd, f));
  const { deleted } = fresh.update(abs);
  if (req.kind === 'suite') return vitest.globTestSpecifications();
  if (req.kind === 'files') return vitest.globTestSpecifications(abs);
  let specs: Spec[];
  vitest.config.related = abs;
  try {
    specs = await vitest.getRelevantTestSpecifications();
  } finally {
    vitest.config.related = undefined;
  }
  // The static walk skips imports that no longer exist: a deleted file's importers must run.
  return deleted.length ? unique([...specs, ...importersOf(vitest, deleted)]) : specs;
}
