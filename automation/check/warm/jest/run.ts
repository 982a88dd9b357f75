/**
 * One run, as @jest/core's runJest makes it (that function is not exported): the test files
 * from each context's SearchSource, ordered by the configured sequencer, global setup and
 * teardown around the scheduler, the results processor, and the timings cached for the next run.
 */
import type {
  AggregatedResult,
  GlobalConfig,
  JestApi,
  ProjectConfig,
  Sequencer,
  Test,
  TestContext,
} from './jest-like.js';

type Hook = 'globalSetup' | 'globalTeardown';

/** Runs each distinct global setup (or teardown) module once, as jest's runGlobalHook does. */
async function runGlobalHook(api: JestApi, tests: Test[], globalConfig: GlobalConfig, hook: Hook) {
  const paths = new Set(tests.map((t) => t.context.config[hook] as string | null | undefined));
  if (globalConfig[hook]) paths.add(globalConfig[hook] as string);
  for (const path of paths) {
    if (!path) continue;
    const owner = tests.find((t) => t.context.config[hook] === path) ?? tests[0];
    const config = owner?.context.config as ProjectConfig;
    const transformer = await api.createScriptTransformer(config);
    try {
      await transformer.requireAndTranspileModule(path, async (module: unknown) => {
        if (typeof module !== 'function')
          throw new TypeError(`${hook} file must export a function at ${path}`);
        await module(globalConfig, config);
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Jest: Got error running ${hook} - ${path}, reason: ${reason}`, {
        cause: error,
      });
    }
  }
}

/** The test files `globalConfig` selects in `contexts`, in the order jest would run them. */
async function testsOf(
  api: JestApi,
  globalConfig: GlobalConfig,
  contexts: readonly TestContext[],
  sequencer: Sequencer,
): Promise<Test[]> {
  let tests: Test[] = [];
  for (const context of contexts) {
    const source = new api.SearchSource(context);
    const found =
      api.major >= 30
        ? await source.getTestPaths(globalConfig, context.config, undefined, undefined)
        : await source.getTestPaths(globalConfig, undefined, undefined);
    tests = [...tests, ...found.tests];
  }
  if (globalConfig.shard && sequencer.shard)
    tests = await sequencer.shard(tests, globalConfig.shard);
  return sequencer.sort(tests);
}

/** One run of `contexts` with `globalConfig`; `log` gets jest's own messages. */
export async function runJest(
  api: JestApi,
  initial: GlobalConfig,
  contexts: readonly TestContext[],
  log: (text: string) => void,
): Promise<AggregatedResult> {
  let globalConfig = initial;
  // As runJest: module resolutions may differ from those made while loading the config.
  api.clearResolverCache();
  const Sequencer = await api.requireOrImportModule<new (o: object) => Sequencer>(
    globalConfig.testSequencer,
  );
  const sequencer = new Sequencer({ contexts, globalConfig });
  const tests = await testsOf(api, globalConfig, contexts, sequencer);
  if (tests.length === 0) {
    log('No tests found, exiting with code 0\n');
  } else if (tests.length === 1 && globalConfig.silent !== true && globalConfig.verbose !== false) {
    globalConfig = Object.freeze({ ...globalConfig, verbose: true });
  }
  if (tests.length) await runGlobalHook(api, tests, globalConfig, 'globalSetup');
  // A fresh scheduler context each run, as a cold run has (it only steers notifications).
  const scheduler = await api.createTestScheduler(globalConfig, {
    firstRun: true,
    previousSuccess: true,
    startRun: () => {},
  });
  let results = await scheduler.scheduleTests(tests, new api.TestWatcher({ isWatchMode: false }));
  sequencer.cacheResults(tests, results);
  if (tests.length) await runGlobalHook(api, tests, globalConfig, 'globalTeardown');
  results.openHandles = [];
  const processor = globalConfig.testResultsProcessor as string | null | undefined;
  if (processor) {
    const process = await api.requireOrImportModule<typeof identity>(processor);
    results = await process(results);
  }
  return results;
}

const identity = async (r: AggregatedResult): Promise<AggregatedResult> => r;
