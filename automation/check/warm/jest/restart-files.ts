/**
 * The files whose change needs a new jest instance: configs, manifests, lockfiles, babel and
 * TypeScript configs (which shape the transforms), and the project's own modules that jest
 * loads once into the runner process (transformers, environments, global setup…).
 */
import { isAbsolute, join, resolve, sep } from 'node:path';
import type { GlobalConfig, ProjectConfig } from './jest-like.js';

const EXTENSIONS = ['js', 'ts', 'mjs', 'cjs', 'mts', 'cts', 'json'];

/** Looked for in the folder and each project's root, also those that do not exist yet. */
const NAMES = [
  'package.json',
  'tsconfig.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'bun.lock',
  'bun.lockb',
  '.babelrc',
  ...['jest.config', 'babel.config', '.babelrc'].flatMap((b) => EXTENSIONS.map((e) => `${b}.${e}`)),
];

/** Config keys naming a module jest loads into the runner process and keeps. */
const MODULE_KEYS = [
  'globalSetup',
  'globalTeardown',
  'testEnvironment',
  'testRunner',
  'runner',
  'resolver',
  'snapshotResolver',
  'dependencyExtractor',
  'testSequencer',
  'testResultsProcessor',
];

/** The restart files of a jest instance made in `cwd` for `configs` (`--config`: its value). */
export function jestRestartFiles(
  cwd: string,
  globalConfig: GlobalConfig,
  configs: readonly ProjectConfig[],
  configArg: unknown,
): string[] {
  const roots = new Set([cwd, globalConfig.rootDir, ...configs.map((c) => c.rootDir)]);
  const files = new Set([...roots].flatMap((root) => NAMES.map((name) => join(root, name))));
  // `--config` names a file, or holds the config itself as JSON.
  if (typeof configArg === 'string' && !configArg.trim().startsWith('{'))
    files.add(resolve(cwd, configArg));
  const own = (path: unknown) =>
    typeof path === 'string' && isAbsolute(path) && !path.includes(`${sep}node_modules${sep}`);
  for (const config of [globalConfig, ...configs]) {
    for (const key of MODULE_KEYS) if (own(config[key])) files.add(config[key] as string);
    const transforms = (config.transform ?? []) as Array<[string, string, unknown]>;
    for (const [, path] of transforms) if (own(path)) files.add(path);
    const reporters = (config.reporters ?? []) as Array<[string, unknown]>;
    for (const [path] of reporters) if (own(path)) files.add(path);
  }
  return [...files];
}
