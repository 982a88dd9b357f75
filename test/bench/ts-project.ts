/** The generated TypeScript project of the watch benchmarks, and the save each round makes. */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/tmp.js';

const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
export const MODULES = 48;

/** 48 TypeScript modules and their tests; every fifth starts a chain of four importers. */
export function project(): string {
  const root = tempDir('fixloop-bench-ts-');
  const write = (rel: string, text: string) => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  write(
    'package.json',
    JSON.stringify({ name: 'gen', private: true, type: 'module', scripts: { test: 'vitest' } }),
  );
  write('tsconfig.json', JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext' } }));
  // Prints when a watch-mode run ends, so the bench sees the verdict's moment.
  write(
    'verdict-reporter.mjs',
    [
      'export default class {',
      '  onTestRunEnd() { process.stdout.write("VERDICT " + Date.now() + "\\n"); }',
      '}',
      '',
    ].join('\n'),
  );
  for (let i = 0; i < MODULES; i++) {
    const chained = i % 5 !== 0;
    const body = chained ? `f${i - 1}(n)` : 'n';
    write(
      `src/m${i}.ts`,
      `${chained ? `import { f${i - 1} } from './m${i - 1}.js';\n` : ''}` +
        `export interface Box${i} { value: number }\n` +
        `export function f${i}(n: number): number {\n  return ${body} + 1;\n}\n`,
    );
    write(
      `test/m${i}.test.ts`,
      `import { expect, it } from 'vitest';\nimport { f${i} } from '../src/m${i}.js';\n` +
        `it('m${i}', () => expect(f${i}(0)).toBe(${(i % 5) + 1}));\n`,
    );
  }
  symlinkSync(NODE_MODULES, join(root, 'node_modules'), 'dir');
  return root;
}

/** The save each round makes: m12's body, one way or the other (its tests and 2 importers'). */
export const save = (root: string, n: number) =>
  writeFileSync(
    join(root, 'src/m12.ts'),
    readFileSync(join(root, 'src/m12.ts'), 'utf8').replace(/ \+ 1;( \/\/ \d+)?/, ` + 1; // ${n}`),
  );
