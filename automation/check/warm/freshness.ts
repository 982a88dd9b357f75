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
    /** What each changed file was before this update ('gone', or undefined: never seen). */
    const was = new Map(named.map((f) => [f, this.seen.get(f)]));
    for (const file of this.graphFiles()) {
      const now = signature(file);
      const before = this.seen.get(file);
      if (before !== undefined && before !== now) {
        changed.add(file);
        was.set(file, before);
      }
      this.seen.set(file, now);
    }
    const deleted: string[] = [];
    let structural = false;
    let appeared = false;
    for (const file of changed) {
      this.vitest.invalidateFile(file);
      if (!existsSync(file)) {
        deleted.push(file);
        this.seen.set(file, 'gone');
        this.vitest.watcher?.onFileDelete?.(file);
        this.tellVite('unlink', file);
        structural = true;
        continue;
      }
      // A file that was gone (or is new to us) may be what an earlier run failed to import:
      // those transforms hold no edge to it, so every transform is made again.
      const before = was.get(file);
      if ((before === undefined || before === 'gone') && !this.isTest(file)) appeared = true;
      if (before === 'gone') this.tellVite('add', file);
      this.seen.set(file, signature(file));
      this.vitest.watcher?.invalidates?.add(file);
      const known = this.vitest.getModuleSpecifications(file).length > 0;
      if (!known && this.isTest(file)) structural = true;
    }
    if (appeared) this.invalidateAll();
    if (structural || appeared) this.vitest.clearSpecificationsCache();
    return { deleted };
  }

  /**
   * vite's own watcher is off, but its handlers keep vite's caches (the file-system cache its
   * resolver uses, among them) current: a restored file must not stay "missing" to it.
   */
  private tellVite(event: 'add' | 'unlink', file: string): void {
    const servers = new Set([this.vitest.vite, ...this.vitest.projects.map((p) => p.vite)]);
    for (const vite of servers) vite.watcher?.emit(event, file);
  }

  /** Every transform of every project, in every vite environment (the related walk's too). */
  private invalidateAll(): void {
    for (const project of this.vitest.projects)
      for (const env of Object.values(project.vite.environments ?? {}))
        env.moduleGraph.invalidateAll?.();
    for (const file of this.graphFiles()) this.vitest.invalidateFile(file);
  }

  private isTest(file: string): boolean {
    return this.vitest.projects.some((p) => p.matchesTestGlob?.(file));
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
