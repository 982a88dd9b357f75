/** Detects the project's test runner from its files; TEST_COMMAND overrides. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunnerAdapter } from './runner.js';
import { customRunner } from './runners/custom.js';
import { goRunner } from './runners/go.js';
import { jestRunner } from './runners/jest.js';
import { nodeTestRunner } from './runners/node-test.js';
import { pytestRunner } from './runners/pytest.js';
import { vitestRunner } from './runners/vitest.js';

export interface Detection {
  runner: RunnerAdapter;
  /** Why this runner, for `doctor` and the start-up line. */
  reason: string;
}

const anyExists = (root: string, names: string[]) => names.find((n) => existsSync(join(root, n)));
const configNames = (tool: string) =>
  ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs', 'json'].map((e) => `${tool}.config.${e}`);

/** The runner for `root`, or undefined when nothing is recognised (then set TEST_COMMAND). */
export function detectRunner(root: string, testCommand: string | undefined): Detection | undefined {
  if (testCommand) return { runner: customRunner(testCommand), reason: 'TEST_COMMAND is set' };

  let pkg:
    | {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
        scripts?: Record<string, string>;
      }
    | undefined;
  try {
    pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  } catch {
    pkg = undefined;
  }
  if (pkg) {
    const deps = { ...pkg.dependencies, ...pkg.devDependencies };
    const testScript = pkg.scripts?.test ?? '';
    const vitestConfig = anyExists(root, [
      ...configNames('vitest'),
      ...configNames('vite').filter((n) => !n.endsWith('json')),
    ]);
    if ('vitest' in deps || /\bvitest\b/.test(testScript))
      return { runner: vitestRunner, reason: 'package.json uses vitest' };
    if ('jest' in deps || /\bjest\b/.test(testScript) || anyExists(root, configNames('jest')))
      return { runner: jestRunner, reason: 'package.json uses jest' };
    if (vitestConfig && anyExists(root, configNames('vitest')))
      return { runner: vitestRunner, reason: `${vitestConfig} exists` };
    if (/\bnode\b.*--test\b/.test(testScript))
      return { runner: nodeTestRunner, reason: 'the test script runs node --test' };
  }
  const py = anyExists(root, [
    'pytest.ini',
    'conftest.py',
    'pyproject.toml',
    'setup.cfg',
    'tox.ini',
    'setup.py',
  ]);
  if (py) return { runner: pytestRunner, reason: `${py} exists` };
  if (existsSync(join(root, 'go.mod'))) return { runner: goRunner, reason: 'go.mod exists' };
  return undefined;
}
