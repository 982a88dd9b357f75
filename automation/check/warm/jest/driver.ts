/**
 * The warm child's jest: the project's own jest (its config, transforms and haste maps) kept
 * between runs, as `jest --watch` keeps it, and run on request through jest's programmatic API.
 * Each run answers with what a cold `jest --json --ci --coverage=false --passWithNoTests` run
 * would give: its exit code, its output and the same JSON report.
 */
import { resolve } from 'node:path';
import { reporterPath } from '../../instrument/progress.js';
import { type DriverRun, UnsupportedRunnerError, type WarmDriver, withOutput } from '../driver.js';
import type { RunRequest } from '../protocol.js';
import { captureOutput } from './capture.js';
import { JestContexts } from './contexts.js';
import type { GlobalConfig, JestApi, ProjectConfig } from './jest-like.js';
import { loadJest } from './load.js';
import { jestRestartFiles } from './restart-files.js';
import { runJest } from './run.js';

/** What the cold run adds to the script's flags (runners/jest.ts), the report kept in memory. */
const COLD_FLAGS = ['--json', '--ci', '--coverage=false', '--passWithNoTests', '--watchAll=false'];

/** Options the warm runner does not reproduce: with them, checks run cold. */
const UNSUPPORTED = [
  'filter',
  'onlyChanged',
  'listTests',
  'collectTests',
  'detectOpenHandles',
  'onlyFailures',
];

/** The projects `--selectProjects` / `--ignoreProjects` leave, as jest filters them. */
function projectsToRun(configs: ProjectConfig[], argv: Record<string, unknown>) {
  const select = argv.selectProjects as string[] | undefined;
  const ignore = argv.ignoreProjects as string[] | undefined;
  return configs.filter((config) => {
    const name = config.displayName?.name;
    return (!select || (!!name && select.includes(name))) && !(name && ignore?.includes(name));
  });
}

/** The run's config: the files of a related or by-path run, as jest's CLI would set them. */
function configFor(base: GlobalConfig, req: RunRequest, files: string[]): GlobalConfig {
  if (req.kind === 'suite') return base;
  const patterns = base.testPathPatterns as { constructor: new (p: string[]) => unknown };
  return Object.freeze({
    ...base,
    nonFlagArgs: files,
    findRelatedTests: req.kind === 'related',
    runTestsByPath: req.kind === 'files',
    // Only jest's messages read these here ("Ran all test suites related to files matching …").
    ...('testPathPatterns' in base
      ? { testPathPatterns: new patterns.constructor([...req.files]) }
      : { testPathPattern: req.files.join('|') }),
  });
}

/** Loads the modules the first run would load (transformers, environment, runner). */
async function prewarm(api: JestApi, globalConfig: GlobalConfig, configs: ProjectConfig[]) {
  await api.requireOrImportModule(globalConfig.testSequencer);
  for (const config of configs) {
    await api.createScriptTransformer(config);
    for (const key of ['runner', 'testRunner', 'testEnvironment'])
      if (typeof config[key] === 'string')
        await api.requireOrImportModule(config[key] as string).catch(() => {});
  }
}

/** Opens the project's jest in `cwd` with the test script's flags, its haste maps built. */
export async function openJestDriver(
  cwd: string,
  scriptArgs: readonly string[],
): Promise<WarmDriver> {
  const output = captureOutput();
  let api: JestApi;
  let globalConfig: GlobalConfig;
  let withProgress: GlobalConfig;
  let configs: ProjectConfig[];
  let contexts: JestContexts;
  let configArg: unknown;
  // As jest's own bin: configs and transforms may read it (a babel config may need "test").
  process.env.NODE_ENV ??= 'test';
  // A cold `jest --color` has it in its argv, where chalk looks when it loads: so does this one.
  process.argv.push(...scriptArgs.filter((a) => /^--colou?rs?(=|$)/.test(a)));
  try {
    api = loadJest(cwd);
    const argv = await api.buildArgv([...scriptArgs, ...COLD_FLAGS]);
    configArg = argv.config;
    const projects = (argv.projects as string[] | undefined) ?? [cwd];
    const read = await api.readConfigs(argv, projects);
    globalConfig = read.globalConfig;
    const unsupported = UNSUPPORTED.filter((key) => globalConfig[key]);
    if (unsupported.length)
      throw new UnsupportedRunnerError(`the warm runner does not support --${unsupported[0]}`);
    // The cold run's reporters when it records progress (`--reporters` replaces the config's).
    const progress = reporterPath('jest-progress.js');
    withProgress = Object.freeze({
      ...globalConfig,
      reporters: [
        ['default', {}],
        [progress, {}],
      ],
    });
    configs = projectsToRun(read.configs, argv);
    contexts = new JestContexts(api, configs, globalConfig);
    await contexts.build();
    await prewarm(api, globalConfig, configs);
  } catch (error) {
    throw withOutput(error, output.take());
  }
  const restartFiles = jestRestartFiles(cwd, globalConfig, configs, configArg);
  output.take();
  return {
    version: api.version,
    restartFiles: () => restartFiles,
    async run(req: RunRequest): Promise<DriverRun> {
      output.take();
      const files = req.files.map((f) => resolve(cwd, f));
      const base = req.progressFile ? withProgress : globalConfig;
      try {
        await contexts.sync(files, req.kind === 'suite');
        const config = configFor(base, req, files);
        const results = await runJest(api, config, contexts.contexts, output.write);
        const report = JSON.stringify(api.formatTestResults(results));
        const exitCode = results.success ? 0 : config.testFailureExitCode;
        return { exitCode, output: output.take(), report };
      } catch (error) {
        // As the CLI: the error, and no report (a global setup that throws, a bad resolver…).
        output.write(`${(error as Error).stack ?? String(error)}\n`);
        return { exitCode: 1, output: output.take(), report: undefined };
      } finally {
        process.exitCode = 0; // this process is a server: no run decides how it exits
      }
    },
    close: () => contexts.close(),
  };
}
