/**
 * Which runner tests which file, and how: the project's test runner (TEST_COMMAND overrides), the
 * folder it runs in, and the scoping flags of the project's own test script. In a monorepo whose
 * root script does not run the tests itself (`turbo run test`), each package's own setup is used.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunnerAdapter } from './runner.js';
import { customRunner } from './runners/custom.js';
import { goRunner } from './runners/go.js';
import { jestRunner } from './runners/jest.js';
import { nodeTestRunner } from './runners/node-test.js';
import { pytestRunner } from './runners/pytest.js';
import { vitestRunner } from './runners/vitest.js';
import { scriptArgs } from './script-args.js';

export interface TestSetup {
  runner: RunnerAdapter;
  /** Why this runner, for `doctor` and the start-up line. */
  reason: string;
  /** Absolute folder the runner runs in. */
  cwd: string;
  /** Flags from the test script that scope its runs, e.g. `--project unit*`. */
  scriptArgs: string[];
  /** The folder's test script runs this runner itself (not through turbo, lerna, `-r`…). */
  direct: boolean;
}

/** @deprecated name kept for callers that only need the runner and why. */
export type Detection = TestSetup;

export interface TestSetups {
  /** The setup of PROJECT_ROOT (or of the workspace above it): it runs the whole suite. */
  readonly root: TestSetup | undefined;
  /** The setup that owns `rel` (relative to PROJECT_ROOT), or undefined when none does. */
  forFile(rel: string): TestSetup | undefined;
  /** A monorepo whose root runs no runner itself: each package's own tests its files. */
  readonly perPackage: boolean;
}

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  workspaces?: unknown;
  jest?: unknown;
}

const anyExists = (dir: string, names: string[]) => names.find((n) => existsSync(join(dir, n)));
const configNames = (tool: string) =>
  ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs', 'json'].map((e) => `${tool}.config.${e}`);
const PYTHON_MARKERS = [
  'pytest.ini',
  'conftest.py',
  'pyproject.toml',
  'setup.cfg',
  'tox.ini',
  'setup.py',
];

function readPackage(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

function jsSetup(dir: string, pkg: PackageJson): TestSetup | undefined {
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  const testScript = pkg.scripts?.test ?? '';
  const make = (runner: RunnerAdapter, reason: string): TestSetup => {
    const flags = scriptArgs(pkg.scripts, runner.name);
    return { runner, reason, cwd: dir, scriptArgs: flags ?? [], direct: flags !== undefined };
  };
  const vitestConfig = anyExists(dir, configNames('vitest'));
  const jestConfig = anyExists(dir, configNames('jest')) ?? (pkg.jest ? 'package.json' : undefined);
  const usesJest = 'jest' in deps || /\bjest\b/.test(testScript) || jestConfig !== undefined;
  if ('vitest' in deps || /\bvitest\b/.test(testScript)) {
    // Both installed (a migration, a tool's dependency): the test script names the one in use,
    // else the one configured here.
    const jestRuns =
      usesJest &&
      !/\bvitest\b/.test(testScript) &&
      (/\bjest\b/.test(testScript) || (jestConfig !== undefined && vitestConfig === undefined));
    if (jestRuns) return make(jestRunner, `package.json uses jest (${jestConfig ?? 'its script'})`);
    return make(vitestRunner, 'package.json uses vitest');
  }
  if (usesJest) return make(jestRunner, 'package.json uses jest');
  if (vitestConfig) return make(vitestRunner, `${vitestConfig} exists`);
  if (/\bnode\b.*--test\b/.test(testScript))
    return make(nodeTestRunner, 'the test script runs node --test');
  return undefined;
}

/** The setup declared in `dir` itself, or undefined. */
export function detectAt(dir: string): TestSetup | undefined {
  const pkg = readPackage(dir);
  const js = pkg ? jsSetup(dir, pkg) : undefined;
  if (js) return js;
  const plain = (runner: RunnerAdapter, reason: string): TestSetup => ({
    runner,
    reason,
    cwd: dir,
    scriptArgs: [],
    direct: true,
  });
  const py = anyExists(dir, PYTHON_MARKERS);
  if (py) return plain(pytestRunner, `${py} exists`);
  if (existsSync(join(dir, 'go.mod'))) return plain(goRunner, 'go.mod exists');
  return undefined;
}

/** The folder that ends a workspace: its root (a monorepo's, or a repository's). */
function isWorkspaceRoot(dir: string): boolean {
  if (existsSync(join(dir, '.git')) || existsSync(join(dir, 'pnpm-workspace.yaml'))) return true;
  return readPackage(dir)?.workspaces !== undefined;
}

/** The runner named for a monorepo tested package by package. */
export const PER_PACKAGE = "each package's own";

/** Files that say a folder is a monorepo's root (besides package.json's `workspaces`). */
const MONOREPO_MARKERS = ['pnpm-workspace.yaml', 'lerna.json', 'turbo.json', 'nx.json'];

/** Whether `dir` holds a monorepo whose packages carry their own test scripts. */
function isMonorepoRoot(dir: string): boolean {
  return !!anyExists(dir, MONOREPO_MARKERS) || readPackage(dir)?.workspaces !== undefined;
}

/**
 * PROJECT_ROOT's setup, or, for a package of a workspace (PROJECT_ROOT has a package.json but no
 * runner), the setup of the workspace root above it.
 */
function rootSetup(projectRoot: string): TestSetup | undefined {
  const own = detectAt(projectRoot);
  if (own || !existsSync(join(projectRoot, 'package.json')) || isWorkspaceRoot(projectRoot)) {
    return own;
  }
  for (let dir = dirname(projectRoot), up = 0; up < 6 && dirname(dir) !== dir; up++) {
    if (isWorkspaceRoot(dir)) return detectAt(dir);
    dir = dirname(dir);
  }
  return undefined;
}

/** The setups of a project; `testCommand` (TEST_COMMAND) is used for every file when set. */
export function detectSetups(projectRoot: string, testCommand: string | undefined): TestSetups {
  if (testCommand) {
    const custom: TestSetup = {
      runner: customRunner(testCommand),
      reason: 'TEST_COMMAND is set',
      cwd: projectRoot,
      scriptArgs: [],
      direct: true,
    };
    return { root: custom, forFile: () => custom, perPackage: false };
  }
  const root = rootSetup(projectRoot);
  // The root's own test script runs the runner: it owns every file (vitest projects and the like).
  const rootOwnsAll = root !== undefined && (root.direct || root.cwd !== projectRoot);
  const perDir = new Map<string, TestSetup | undefined>();
  const atDir = (dir: string) => {
    if (!perDir.has(dir)) perDir.set(dir, detectAt(join(projectRoot, dir)));
    return perDir.get(dir);
  };
  return {
    root,
    perPackage: !rootOwnsAll && isMonorepoRoot(projectRoot),
    forFile(rel) {
      if (rootOwnsAll) return root;
      for (let dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : ''; dir !== ''; ) {
        const found = existsSync(join(projectRoot, dir, 'package.json')) ? atDir(dir) : undefined;
        if (found) return found;
        dir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
      }
      return root;
    },
  };
}

/** The runner's name as the start-up line, health check and doctor give it, if there is one. */
export function runnerLabel(setups: TestSetups): string | undefined {
  return setups.root?.runner.name ?? (setups.perPackage ? PER_PACKAGE : undefined);
}

/** The setup that runs PROJECT_ROOT's whole suite, or undefined (then set TEST_COMMAND). */
export function detectRunner(root: string, testCommand: string | undefined): TestSetup | undefined {
  return detectSetups(root, testCommand).root;
}
