/** The demo's sample project: two tiny modules with vitest tests, written into a temp dir. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Git, gitOk } from '../git/git.js';

export const FILES: Record<string, string> = {
  'package.json': JSON.stringify(
    {
      name: 'fixloop-demo-shop',
      private: true,
      type: 'module',
      scripts: { test: 'vitest' },
      devDependencies: { vitest: '*' },
    },
    null,
    2,
  ),
  'src/math.js': 'export function add(a, b) {\n  return a + b;\n}\n',
  'src/price.js':
    'export function withTax(amount) {\n  return Math.round(amount * 1.2 * 100) / 100;\n}\n',
  'test/math.test.js':
    "import { expect, it } from 'vitest';\nimport { add } from '../src/math.js';\n\n" +
    "it('adds two numbers', () => {\n  expect(add(2, 3)).toBe(5);\n});\n",
  'test/price.test.js':
    "import { expect, it } from 'vitest';\nimport { withTax } from '../src/price.js';\n\n" +
    "it('adds 20% tax', () => {\n  expect(withTax(10)).toBe(12);\n});\n",
  '.gitignore': 'node_modules/\n',
};

/** Writes the sample project into `dir` and commits it, as a project under git would be. */
export async function writeSample(dir: string, git: Git): Promise<void> {
  for (const [rel, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  const author = ['-c', 'user.name=fixloop demo', '-c', 'user.email=demo@fixloop.invalid'];
  await gitOk(git, ['init', '-q'], { cwd: dir });
  await gitOk(git, ['add', '-A'], { cwd: dir });
  await gitOk(git, [...author, 'commit', '-q', '-m', 'The demo shop'], { cwd: dir });
}
