/**
 * The part of vitest's Node API (4.1 and later) the warm runner uses, typed here so it works with
 * whichever vitest the project has installed rather than the one fixloop is built against.
 */

/** A test file of one project, as vitest schedules it. */
export interface Spec {
  readonly moduleId: string;
  readonly project: { readonly name: string };
}

interface ModuleGraph {
  fileToModulesMap: Map<string, unknown>;
  getModulesByFile(file: string): Set<{ importers: Set<{ file: string | null }> }> | undefined;
  invalidateAll?(): void;
}

interface ViteServer {
  config: { configFile?: string | undefined; configFileDependencies?: string[] };
  environments?: Record<string, { moduleGraph: ModuleGraph }>;
  /** vite's watcher: its `add`/`unlink`/`change` handlers keep vite's caches current. */
  watcher?: { emit(event: string, file: string): boolean };
}

export interface VitestLike {
  config: { root: string; related?: string[] | undefined };
  vite: ViteServer;
  projects: Array<{
    name: string;
    vite: ViteServer;
    matchesTestGlob?(file: string): boolean;
    config?: { browser?: { enabled?: boolean } };
  }>;
  watcher?: {
    invalidates?: Set<string>;
    onFileDelete?(file: string): void;
  };
  standalone(): Promise<void>;
  close(): Promise<void>;
  invalidateFile(file: string): void;
  getModuleSpecifications(file: string): Spec[];
  getRelevantTestSpecifications(filters?: string[]): Promise<Spec[]>;
  globTestSpecifications(filters?: string[]): Promise<Spec[]>;
  clearSpecificationsCache(moduleId?: string): void;
  runTestSpecifications(specs: Spec[], allTestsRun?: boolean): Promise<unknown>;
  /** vitest's worker pool, made by a run when absent (not part of its typed API). */
  pool?: { close?(): Promise<void> } | undefined;
}
