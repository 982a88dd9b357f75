/**
 * Loads the project's own jest (never fixloop's copy): `jest` (or `jest-cli`) is resolved from
 * the project's package.json, and every other jest package from where that one is installed,
 * as the jest the project's `jest` command starts would load them.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UnsupportedRunnerError } from '../driver.js';
import type { JestApi } from './jest-like.js';

type Module = Record<string, unknown> & { default?: unknown };

/** The oldest jest whose programmatic API the warm runner knows. */
const OLDEST = 29;

/** The first of `ids` that `require` resolves, or undefined. */
function resolveFirst(require: NodeJS.Require, ids: readonly string[]): string | undefined {
  for (const id of ids) {
    try {
      return require.resolve(id);
    } catch {
      /* try the next */
    }
  }
  return undefined;
}

/**
 * jest-cli's own options: exported since 29.5; before, only in its build/args.js (reached by path:
 * the package's exports do not list it).
 */
function yargsOptions(cli: Module, fromCli: NodeJS.Require): unknown {
  if (cli.yargsOptions) return cli.yargsOptions;
  try {
    const dir = dirname(fromCli.resolve('jest-cli/package.json'));
    return (fromCli(join(dir, 'build/args.js')) as Module).options;
  } catch {
    return undefined;
  }
}

/** jest-cli's argument parsing: exported by jest 30, rebuilt from its yargs options in 29. */
function argvBuilder(cli: Module, fromCli: NodeJS.Require): JestApi['buildArgv'] {
  if (typeof cli.buildArgv === 'function') return cli.buildArgv as JestApi['buildArgv'];
  const options = yargsOptions(cli, fromCli);
  if (!options)
    throw new UnsupportedRunnerError('this jest-cli exports neither buildArgv nor its options');
  const yargs = fromCli('yargs') as (args: readonly string[]) => {
    options(o: unknown): { argv: Record<string, unknown> | Promise<Record<string, unknown>> };
  };
  return async (args) => {
    const argv = await yargs(args).options(options).argv;
    // As jest-cli: dashed aliases (`find-related-tests`) are dropped, camelCase kept.
    return Object.fromEntries(Object.entries(argv).filter(([key]) => !key.includes('-')));
  };
}

/** The project's jest in `cwd`; throws UnsupportedRunnerError when it has none we can drive. */
export function loadJest(cwd: string): JestApi {
  const project = createRequire(join(cwd, 'package.json'));
  const cliPath = resolveFirst(project, ['jest', 'jest-cli']);
  if (!cliPath) throw new UnsupportedRunnerError('jest is not installed in this project');
  const fromCli = createRequire(cliPath);
  const fromCore = createRequire(fromCli.resolve('@jest/core'));
  const load = (id: string) => fromCore(id) as Module;
  const core = fromCli('@jest/core') as Module;
  const version = (core.getVersion as () => string)();
  const major = Number(version.split('.')[0]);
  if (!(major >= OLDEST))
    throw new UnsupportedRunnerError(`jest ${version} (the warm runner needs jest 29 or later)`);
  const jestCli = createRequire(fromCli.resolve('jest-cli/package.json'));
  const Runtime = load('jest-runtime').default as Module;
  const Resolver = load('jest-resolve').default as Module;
  const util = load('jest-util');
  return {
    version,
    major,
    SearchSource: core.SearchSource as JestApi['SearchSource'],
    createTestScheduler: core.createTestScheduler as JestApi['createTestScheduler'],
    readConfigs: load('jest-config').readConfigs as JestApi['readConfigs'],
    createHasteMap: (config, options) =>
      (Runtime.createHasteMap as JestApi['createHasteMap'])(config, options),
    createResolver: (config, map) =>
      (Runtime.createResolver as JestApi['createResolver'])(config, map),
    formatTestResults: load('@jest/test-result').formatTestResults as JestApi['formatTestResults'],
    clearResolverCache: () => (Resolver.clearDefaultResolverCache as () => void)(),
    requireOrImportModule: util.requireOrImportModule as JestApi['requireOrImportModule'],
    createScriptTransformer: load('@jest/transform')
      .createScriptTransformer as JestApi['createScriptTransformer'],
    TestWatcher: load('jest-watcher').TestWatcher as JestApi['TestWatcher'],
    buildArgv: argvBuilder(jestCli('jest-cli') as Module, jestCli),
  };
}
