/**
 * The layout rules of automation/ (README, Development): small files, small folders, no import
 * cycles, and nothing below the CLI imports a command. Read from the sources, so a change that
 * breaks a rule fails here with the file named.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../automation/', import.meta.url));
const MAX_LINES = 250;
const MAX_FILES_PER_FOLDER = 12;
/** The CLI layer: the only places that may import a command. */
const CLI_LAYER = ['cli.ts', 'commands/'];

function sources(dir = ROOT): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const files = sources();
const rel = (abs: string) => relative(ROOT, abs).split('\\').join('/');

/** Value imports (type-only imports carry no runtime dependency) of a file, as absolute paths. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const pattern =
    /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm;
  for (const m of text.matchAll(pattern)) {
    if (m[2]) continue; // `import type … from`
    const spec = m[3] ?? m[4];
    if (spec) specs.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return specs;
}

describe('layout of automation/', () => {
  it(`has no source file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ file: rel(f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it(`has no folder with more than ${MAX_FILES_PER_FOLDER} source files side by side`, () => {
    const perFolder = new Map<string, number>();
    for (const f of files)
      perFolder.set(dirname(rel(f)), (perFolder.get(dirname(rel(f))) ?? 0) + 1);
    expect([...perFolder].filter(([, n]) => n > MAX_FILES_PER_FOLDER)).toEqual([]);
  });

  it('has no line over 100 columns', () => {
    const long = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (line.length > 100 ? [`${rel(f)}:${i + 1}`] : [])),
    );
    expect(long).toEqual([]);
  });

  it('has nothing outside the CLI layer importing a command', () => {
    const offenders = files
      .filter((f) => !CLI_LAYER.some((layer) => rel(f).startsWith(layer)))
      .flatMap((f) =>
        valueImports(f)
          .filter((target) => rel(target).startsWith('commands/'))
          .map((target) => `${rel(f)} → ${rel(target)}`),
      );
    expect(offenders).toEqual([]);
  });

  it('has no import cycle (type-only imports aside)', () => {
    const graph = new Map(files.map((f) => [f, valueImports(f).filter((t) => files.includes(t))]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map(rel).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
