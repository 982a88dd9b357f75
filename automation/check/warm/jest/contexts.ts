/**
 * Each project's haste map, kept in watch mode as `jest --watch` keeps it, and the test contexts
 * made from it (what @jest/core's createContext makes). The daemon's request can come before the
 * haste map's watcher saw the save, so a run first waits until the files it names are held as
 * they are on disk; a map that does not catch up in time is built again, which is always right.
 */
import { mkdirSync, statSync } from 'node:fs';
import { extname, sep } from 'node:path';
import type {
  GlobalConfig,
  HasteMap,
  HasteSnapshot,
  JestApi,
  ProjectConfig,
  TestContext,
} from './jest-like.js';

/** How long a run waits for the watcher before building the maps again. */
const CATCH_UP_MS = 1000;

/** A file's modification time (ms, as jest-haste-map keeps it) and size; undefined: gone. */
function onDisk(file: string): { mtime: number; size: number } | undefined {
  try {
    const s = statSync(file);
    return { mtime: s.mtime.getTime(), size: s.size };
  } catch {
    return undefined;
  }
}

/** The test contexts of every project run, kept current with the disk. */
export class JestContexts {
  contexts: TestContext[] = [];
  private maps: HasteMap[] = [];
  private readonly waiting = new Set<() => void>();
  /** Files on disk that a fresh build did not take (ignored by the config), by signature. */
  private readonly untracked = new Map<string, string>();

  constructor(
    private readonly api: JestApi,
    private readonly configs: readonly ProjectConfig[],
    private readonly globalConfig: GlobalConfig,
  ) {}

  /** Builds every project's haste map (watching), replacing the maps it had. */
  async build(): Promise<void> {
    const old = this.maps;
    const { maxWorkers, watchman, workerThreads } = this.globalConfig;
    const maps = await Promise.all(
      this.configs.map(async (config, index) => {
        mkdirSync(config.cacheDirectory, { recursive: true });
        const map = await this.api.createHasteMap(config, {
          maxWorkers: Math.max(1, Math.floor(maxWorkers / this.configs.length)),
          resetCache: !config.cache,
          watch: true,
          watchman,
          workerThreads,
        });
        const snapshot = await map.build();
        map.on('change', (next) => {
          if (this.maps[index] !== map) return; // a map built again since
          this.contexts[index] = this.context(config, next);
          for (const wake of this.waiting) wake();
        });
        return { map, context: this.context(config, snapshot) };
      }),
    );
    this.maps = maps.map((m) => m.map);
    this.contexts = maps.map((m) => m.context);
    await Promise.all(old.map((m) => m.end().catch(() => {})));
  }

  /** Waits until the maps hold `files` as the disk does (`all`: builds them again at once). */
  async sync(files: readonly string[], all: boolean): Promise<void> {
    if (all) return this.build();
    const until = performance.now() + CATCH_UP_MS;
    let stale = files.filter((f) => !this.current(f));
    while (stale.length && (await this.nextChange(until - performance.now())))
      stale = stale.filter((f) => !this.current(f));
    if (stale.length === 0) return;
    await this.build();
    for (const file of stale) {
      const disk = onDisk(file);
      if (disk && !this.current(file)) this.untracked.set(file, `${disk.mtime}:${disk.size}`);
    }
  }

  /** Stops watching. */
  async close(): Promise<void> {
    const maps = this.maps;
    this.maps = [];
    await Promise.all(maps.map((m) => m.end().catch(() => {})));
  }

  private context(config: ProjectConfig, snapshot: HasteSnapshot): TestContext {
    const { hasteFS, moduleMap } = snapshot;
    return { config, hasteFS, moduleMap, resolver: this.api.createResolver(config, moduleMap) };
  }

  /** Whether every map that would hold `file` holds it as it is now. */
  private current(file: string): boolean {
    const disk = onDisk(file);
    if (disk && this.untracked.get(file) === `${disk.mtime}:${disk.size}`) return true;
    return this.contexts.every(({ config, hasteFS }) => {
      if (!tracks(config, file)) return true;
      if (!disk) return !hasteFS.exists(file);
      const data = hasteFS._getFileData?.(file);
      // Whole milliseconds, as the node crawler and watcher keep them (watchman may not).
      if (hasteFS._getFileData)
        return data !== undefined && Math.trunc(Number(data[1])) === disk.mtime;
      return hasteFS.getSize(file) === disk.size;
    });
  }

  /** Resolves true on the next change a map saw, false when `ms` pass first. */
  private nextChange(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (changed: boolean) => {
        clearTimeout(timer);
        this.waiting.delete(wake);
        resolve(changed);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.waiting.add(wake);
    });
  }
}

/**
 * Whether `config`'s haste map would hold `file`: in a root, with a module extension, not ignored
 * (the patterns jest-runtime's createHasteMap gives it in watch mode).
 */
function tracks(config: ProjectConfig, file: string): boolean {
  const ext = extname(file).slice(1);
  if (!config.moduleFileExtensions.includes(ext)) return false;
  if (file.includes(`${sep}node_modules${sep}`)) return false;
  const ignored = [config.modulePathIgnorePatterns, config.watchPathIgnorePatterns].flatMap(
    (patterns) => (Array.isArray(patterns) ? (patterns as string[]) : []),
  );
  if (ignored.length && new RegExp(ignored.join('|')).test(file)) return false;
  return config.roots.some((root) => file.startsWith(root + sep));
}
