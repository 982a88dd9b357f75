/**
 * vitest's reports of a module it cannot parse or transform, read as the parser's words and
 * place: vitest 5's `Parse failure`, oxc's `Transform failed` (vitest 4.1 and 5), esbuild's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unparsedCause } from '../../automation/check/reports/unparsed-modules.js';
import { tempDir } from '../support/tmp.js';

const project = () => {
  const root = join(tempDir(), 'my project'); // a space in the path
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'src/math.js'), 'export const add = (a, b) => a +* b;\n');
  return root;
};

describe('unparsedCause', () => {
  it("reads each runner's form, with the place relative to the project", () => {
    const root = project();
    const parse5 =
      'Parse failure: Parse failed with 1 error:\nUnexpected token\n1: export const add\n' +
      'At file: /src/math.js:1:33';
    expect(unparsedCause(parse5, root)).toBe('Unexpected token (src/math.js:1:33)');
    const parse4 = parse5.replace('/src/math.js', `${root}/src/math.js`);
    expect(unparsedCause(parse4, root)).toBe('Unexpected token (src/math.js:1:33)');
    const oxc =
      'Transform failed with 1 error:\n\n[PARSE_ERROR] Unexpected token\n' +
      '   ╭─[ src/my file.ts:72:11 ]\n   │\n 72 │ const x = ;\n';
    expect(unparsedCause(oxc, root)).toBe('Unexpected token (src/my file.ts:72:11)');
    const esbuild = `Transform failed with 1 error:\n${root}/src/math.js:1:33: ERROR: Expected ";"`;
    expect(unparsedCause(esbuild, root)).toBe('Expected ";" (src/math.js:1:33)');
  });

  it('leaves any other error alone, and never takes a place without a line', () => {
    const root = project();
    expect(unparsedCause("Cannot find module './gone'", root)).toBeUndefined();
    expect(unparsedCause('Transform failed with 1 error:', root)).toBeUndefined();
    const noPlace =
      'Parse failure: Parse failed with 1 error:\nUnexpected token\nAt file: /src/x.js';
    expect(unparsedCause(noPlace, root)).toBeUndefined();
  });
});
