/**
 * The warm child's vitest instance: made from the project's own vitest with the flags its test
 * script uses, reporting each run into memory as a cold `vitest --reporter=json` run would print
 * and write it.
 */
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { processScratch } from '../../fs/scratch.js';
import FixloopProgress from '../instrument/vitest-progress.js';
import { OUTPUT_MAX, UnsupportedRunnerError } from './driver.js';
import type { VitestLike } from './vitest-like.js';

/** What one run printed and reported, and whether the CLI would have failed it. */
export class RunCapture {
  output = '';
  report: string | undefined;
  failed = false;
  /** Where vitest prints (its logger and the default reporter). */
  readonly sink = new Writable({
    write: (chunk, _encoding, done) => {
      this.output = (this.output + String(chunk)).slice(-OUTPUT_MAX);
      done();
    },
  });

  reset(): void {
    this.output = '';
    this.report = undefined;
    this.failed = false;
  }
}

const NEEDS = '(the warm runner needs vitest 4.1 or later)';

/** The project's vitest cannot run warm: retrying will not help. */
export class UnsupportedVitestError extends UnsupportedRunnerError {}

/** Loads a module of the project's own vitest (never fixloop's copy). */
export function projectLoader(cwd: string) {
  const require = createRequire(join(cwd, 'package.json'));
  return {
    load: async (id: string) => import(pathToFileURL(require.resolve(id)).href),
    version: () => (require('vitest/package.json') as { version: string }).version,
  };
}

type Load = ReturnType<typeof projectLoader>['load'];

type JsonReporterClass = new (options: object) => object;
type RunEnd = { onTestRunEnd?: (...args: unknown[]) => Promise<void> | void };

/**
 * vitest's JSON reporter, its report kept for the run: vitest 4.1 hands it to `writeReport`
 * (kept in memory, no file written); vitest 5 writes it to `outputFile` (a file of this process's
 * scratch folder, read and removed when the run ends). Never a file in the project.
 */
async function jsonReporter(load: Load, capture: RunCapture): Promise<object> {
  const node = (await load('vitest/node')) as { JsonReporter?: JsonReporterClass };
  // vitest 5 has its reporters in vitest/node (vitest/reporters is gone); 4.1 in both.
  const JsonReporter =
    node.JsonReporter ??
    ((await load('vitest/reporters')) as { JsonReporter: JsonReporterClass }).JsonReporter;
  const file = processScratch.path(`vitest-report-${process.pid}.json`);
  return new (class extends JsonReporter {
    async writeReport(text: string) {
      capture.report = text;
    }
    async onTestRunEnd(...args: unknown[]) {
      await (JsonReporter.prototype as RunEnd).onTestRunEnd?.apply(this, args);
      if (capture.report !== undefined) return;
      capture.report = await readFile(file, 'utf8').catch(() => undefined);
      await rm(file, { force: true });
    }
  })({ outputFile: file });
}

interface RunError {
  name?: string;
  message?: string;
  type?: string;
  stacks?: Array<{ file: string; line: number; column: number }>;
}

/**
 * The run's outcome as the CLI turns it into an exit code (failed tests or unhandled errors),
 * and each unhandled error in the form vitest prints it, whatever the default reporter printed.
 */
function outcomeReporter(capture: RunCapture): object {
  return {
    onTestRunEnd(_modules: unknown, errors: readonly RunError[], state: string) {
      capture.failed = state !== 'passed' || errors.length > 0;
      for (const e of errors) {
        const at = e.stacks?.[0];
        capture.output +=
          `\n⎯⎯ ${e.type ?? 'Unhandled Error'} ⎯⎯\n${e.name ?? 'Error'}: ${e.message ?? ''}\n` +
          (at ? ` ❯ ${at.file}:${at.line}:${at.column}\n` : '');
      }
    },
  };
}

/** A ready vitest instance for `cwd` with the test script's `scriptArgs`. */
export async function createInstance(
  cwd: string,
  scriptArgs: readonly string[],
  capture: RunCapture,
): Promise<VitestLike> {
  const { load, version } = projectLoader(cwd);
  // An older vitest has no Node API to keep warm: said once, not retried three times.
  const [major = 0, minor = 0] = version().split('.').map(Number);
  if (major < 4 || (major === 4 && minor < 1))
    throw new UnsupportedVitestError(`vitest ${version()} ${NEEDS}`);
  const node = await load('vitest/node');
  const missing = ['createVitest', 'parseCLI'].filter((k) => typeof node[k] !== 'function');
  if (missing.length)
    throw new UnsupportedVitestError(`this vitest has no ${missing.join(', ')} ${NEEDS}`);
  // The CLI sets these before it creates vitest; createVitest does not (tests may read them).
  process.env.TEST = 'true';
  process.env.VITEST = 'true';
  process.env.NODE_ENV ??= 'test';
  const { options } = node.parseCLI(['vitest', ...scriptArgs]);
  const vitest = (await node.createVitest(
    'test',
    {
      ...options,
      watch: false,
      reporters: [
        'default',
        await jsonReporter(load, capture),
        outcomeReporter(capture),
        new FixloopProgress(),
      ],
      coverage: { enabled: false },
      passWithNoTests: true,
      // Never writes a new or changed snapshot into the project, as a CI run would not.
      update: 'none',
    },
    {},
    { stdout: capture.sink, stderr: capture.sink },
  )) as VitestLike;
  const api = [
    'standalone',
    'runTestSpecifications',
    'getRelevantTestSpecifications',
    'globTestSpecifications',
    'invalidateFile',
    'getModuleSpecifications',
    'clearSpecificationsCache',
  ] as const;
  const absent = api.filter((k) => typeof vitest[k] !== 'function');
  if (absent.length) {
    await vitest.close();
    throw new UnsupportedVitestError(
      `vitest ${node.version} lacks ${absent.join(', ')} ` +
        '(the warm runner needs vitest 4.1 or later)',
    );
  }
  await vitest.standalone();
  return vitest;
}

const CONFIG_EXTENSIONS = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'];

/** Files whose change needs a new instance: configs, what they import, manifests, lockfiles. */
export function restartFiles(vitest: VitestLike): string[] {
  const root = vitest.config.root;
  // Config files vitest would load, also those that do not exist yet: creating one changes what
  // runs as much as editing one does.
  const configs = ['vitest.config', 'vite.config', 'vitest.workspace'].flatMap((base) =>
    CONFIG_EXTENSIONS.map((ext) => `${base}.${ext}`),
  );
  const files = new Set(
    [
      'package.json',
      'tsconfig.json',
      'package-lock.json',
      'pnpm-lock.yaml',
      'yarn.lock',
      ...configs,
    ].map((name) => join(root, name)),
  );
  for (const vite of [vitest.vite, ...vitest.projects.map((p) => p.vite)]) {
    if (vite.config.configFile) files.add(vite.config.configFile);
    for (const dep of vite.config.configFileDependencies ?? []) files.add(resolve(root, dep));
  }
  return [...files];
}
