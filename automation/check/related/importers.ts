/**
 * fixloop's own related-test search, for when the runner finds none (jest `roots` that leave the
 * sources out, runners without an import graph): test files that import a changed file, directly
 * or through other modules, and test files named after it. Parsed imports are cached by mtime.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { toPosix } from '../../fs/paths.js';
import { isTestFile } from '../test-files.js';
import { findFiles, stemOf } from './find-tests.js';

const CODE = /\.(?:[cm]?[jt]sx?|vue|svelte)$/;
const EXTENSIONS = [
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.js',
  '.jsx',
  '.mjs',
  '.cjs',
  '.vue',
  '.svelte',
];
/** `import … from 'x'`, `export … from 'x'`, `import('x')`, `require('x')`, `import 'x'`. */
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"\n]+)\1/gm;
/** Files larger than this are not parsed (bundles, generated code). */
const MAX_PARSE_BYTES = 512_000;
/** How many import hops away a test may be from the changed file. */
const MAX_DEPTH = 4;

interface Graph {
  code: string[];
  importersOf: Map<string, string[]>;
}

/**
 * Test files reached from `files` through importers (up to MAX_DEPTH hops), or named after them.
 */
function related({ code, importersOf }: Graph, files: readonly string[]): string[] {
  const found = new Set<string>();
  let frontier = files.filter((f) => !isTestFile(f));
  const seen = new Set(frontier);
  for (let depth = 0; depth < MAX_DEPTH && frontier.length; depth++) {
    const next: string[] = [];
    for (const file of frontier) {
      for (const importer of importersOf.get(file) ?? []) {
        if (seen.has(importer)) continue;
        seen.add(importer);
        if (isTestFile(importer)) found.add(importer);
        else next.push(importer);
      }
    }
    frontier = next;
  }
  const stems = new Set(files.filter((f) => !isTestFile(f)).map(stemOf));
  for (const file of code) if (isTestFile(file) && stems.has(stemOf(file))) found.add(file);
  return [...found].sort();
}

export class ImportSearch {
  /** The relative specifiers each file imports, by its size and mtime. */
  private readonly parsed = new Map<string, { key: string; imports: string[] }>();

  constructor(private readonly root: string) {}

  /**
   * Test files (relative, `/`) related to `files` by imports or by name, sorted; empty when none.
   */
  async relatedTests(files: readonly string[]): Promise<string[]> {
    return related(await this.graph(), files);
  }

  /** The related test files of each file, from one walk of the project (for `doctor`). */
  async relatedTestsEach(files: readonly string[]): Promise<Map<string, string[]>> {
    const graph = await this.graph();
    return new Map(files.map((f) => [f, related(graph, [f])]));
  }

  /** Every code file, and who imports each. */
  private async graph(): Promise<Graph> {
    const code = await findFiles(this.root, (name) => CODE.test(name));
    const known = new Set(code);
    const importersOf = new Map<string, string[]>();
    for (const file of code) {
      for (const target of await this.importsOf(file, known)) {
        const list = importersOf.get(target) ?? [];
        list.push(file);
        importersOf.set(target, list);
      }
    }
    return { code, importersOf };
  }

  /** The project files `file` imports by relative specifier (resolved, relative to the root). */
  private async importsOf(file: string, known: ReadonlySet<string>): Promise<string[]> {
    const abs = join(this.root, file);
    const s = await stat(abs).catch(() => undefined);
    if (!s || s.size > MAX_PARSE_BYTES) return [];
    const key = `${s.size}:${s.mtimeMs}`;
    let specifiers = this.parsed.get(file);
    if (specifiers?.key !== key) {
      const text = await readFile(abs, 'utf8').catch(() => '');
      specifiers = { key, imports: [...text.matchAll(SPECIFIER)].map((m) => m[2] ?? '') };
      this.parsed.set(file, specifiers);
    }
    // Resolved every time: the files they name come and go (a deleted module is no import).
    return specifiers.imports.flatMap((spec) => resolveSpecifier(file, spec, known) ?? []);
  }
}

/** `./x`, `./x.js` (a TypeScript source), `./dir` (its index) → the project file it names. */
function resolveSpecifier(
  from: string,
  spec: string,
  known: ReadonlySet<string>,
): string | undefined {
  const base = toPosix(normalize(join(dirname(from), spec)));
  const stripped = base.replace(/\.[cm]?jsx?$/, '');
  const candidates = [
    base,
    ...EXTENSIONS.map((e) => `${base}${e}`),
    ...EXTENSIONS.map((e) => `${stripped}${e}`),
    ...EXTENSIONS.map((e) => `${base}/index${e}`),
  ];
  return candidates.find((c) => known.has(c));
}
