/**
 * The part of jest's programmatic API (29 and 30) the warm runner uses, typed here so it works
 * with whichever jest the project has installed rather than one fixloop is built against.
 */

/** A project's configuration, as jest-config's `readConfigs` normalizes it. */
export interface ProjectConfig {
  readonly rootDir: string;
  readonly roots: readonly string[];
  readonly cacheDirectory: string;
  readonly cache: boolean;
  readonly moduleFileExtensions: readonly string[];
  readonly displayName?: { name: string };
  readonly haste: { retainAllFiles?: boolean };
  readonly [key: string]: unknown;
}

/** The run's configuration; copied and changed per run, never mutated. */
export interface GlobalConfig {
  readonly rootDir: string;
  readonly maxWorkers: number;
  readonly watchman: boolean;
  readonly workerThreads?: boolean;
  readonly testSequencer: string;
  readonly testFailureExitCode: number;
  readonly [key: string]: unknown;
}

/** The files a haste map holds (jest-haste-map's HasteFS). */
export interface HasteFS {
  exists(file: string): boolean;
  getSize(file: string): number | null;
  /** Not public, but in 29 and 30: `[id, mtime, size, …]` of a file it holds. */
  _getFileData?(file: string): readonly unknown[] | undefined;
}

/** What a haste map gives: its files and its module map. */
export interface HasteSnapshot {
  hasteFS: HasteFS;
  moduleMap: unknown;
}

/** A haste map; in watch mode it emits `change` with a new snapshot as files change. */
export interface HasteMap {
  build(): Promise<HasteSnapshot>;
  on(event: 'change', listener: (snapshot: HasteSnapshot) => void): void;
  end(): Promise<void>;
}

/** A project's test context (what @jest/core's createContext makes). */
export interface TestContext extends HasteSnapshot {
  config: ProjectConfig;
  resolver: unknown;
}

/** A test file, as jest schedules it. */
export interface Test {
  context: TestContext;
  path: string;
  duration?: number;
}

/** The results of a run, as reporters and `--json` see them. */
export interface AggregatedResult {
  success: boolean;
  openHandles?: unknown[];
  testResults: unknown[];
}

/** The configured test sequencer (@jest/test-sequencer or the project's own). */
export interface Sequencer {
  sort(tests: Test[]): Test[] | Promise<Test[]>;
  shard?(tests: Test[], options: unknown): Test[] | Promise<Test[]>;
  cacheResults(tests: Test[], results: AggregatedResult): void;
}

/** Finds a context's test files (related, by path, or all). */
export interface SearchSource {
  /** jest 29: (globalConfig, changedFiles, filter); jest 30: (globalConfig, config, …). */
  getTestPaths(...args: unknown[]): Promise<{ tests: Test[] }>;
}

/** The modules of the project's jest the warm runner calls. */
export interface JestApi {
  version: string;
  major: number;
  SearchSource: new (context: TestContext) => SearchSource;
  createTestScheduler(
    globalConfig: GlobalConfig,
    context: object,
  ): Promise<{ scheduleTests(tests: Test[], watcher: unknown): Promise<AggregatedResult> }>;
  readConfigs(
    argv: object,
    projects: readonly string[],
  ): Promise<{ globalConfig: GlobalConfig; configs: ProjectConfig[] }>;
  createHasteMap(config: ProjectConfig, options: object): Promise<HasteMap>;
  createResolver(config: ProjectConfig, moduleMap: unknown): unknown;
  formatTestResults(results: AggregatedResult): unknown;
  clearResolverCache(): void;
  requireOrImportModule<T>(path: string): Promise<T>;
  createScriptTransformer(config: ProjectConfig): Promise<{
    requireAndTranspileModule<T>(path: string, callback?: (module: T) => unknown): Promise<T>;
  }>;
  TestWatcher: new (options: { isWatchMode: boolean }) => unknown;
  /** The CLI's own argument parsing (yargs with jest's options). */
  buildArgv(args: readonly string[]): Promise<Record<string, unknown>>;
}
