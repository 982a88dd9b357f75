/**
 * Whether an edit of an existing test file weakens it: deletes a test, marks one skipped, focused
 * or todo, or removes or changes an assertion. Adding tests (and lines around the existing ones)
 * does not. Read from the text, for the test styles of jest, vitest, mocha, node:test, pytest and
 * unittest; an assertion line that changes at all counts as loosened (which way it moved cannot
 * be told from text).
 */

/** One regular expression of several alternatives (kept apart for reading). */
const anyOf = (parts: readonly string[], flags: string) => new RegExp(parts.join('|'), flags);

/** Markers that skip, focus or postpone a test. */
const SKIPS = anyOf(
  [
    String.raw`\b(?:it|test|describe|suite|context)\.(?:skip|only|todo|skipIf|runIf)\b`,
    String.raw`\b(?:xit|xtest|xdescribe|fit|fdescribe)\s*\(`,
    String.raw`@pytest\.mark\.(?:skip|skipif|xfail)\b`,
    String.raw`\bpytest\.(?:skip|xfail)\s*\(`,
    String.raw`@unittest\.(?:skip|expectedFailure)\w*`,
    String.raw`\bself\.skipTest\s*\(`,
    String.raw`\bt\.(?:skip|todo)\s*\(`,
    String.raw`\{\s*(?:skip|todo)\s*:\s*true`,
  ],
  'g',
);

/** A test declared by name: `it('x'`, `test("x"`, `describe(`x``, `def test_x`, `class TestX`. */
const DECLARED = anyOf(
  [
    String.raw`\b(?:it|test|describe|suite|context)(?:\.\w+(?:\([^)]*\))?)*\s*\(\s*` +
      String.raw`(['"${'`'}])((?:\\.|(?!\1).)*)\1`,
    String.raw`^\s*(?:async\s+)?def\s+(test\w*)`,
    String.raw`^\s*class\s+(Test\w*)`,
  ],
  'gm',
);

/** A line that asserts. */
const ASSERTS = anyOf(
  [
    String.raw`\bexpect\s*\(`,
    String.raw`\bassert\b`,
    String.raw`\bassert\w*\s*\(`,
    String.raw`\bassert\.\w+`,
    String.raw`\.should\b`,
    String.raw`\bself\.assert\w+`,
    String.raw`\bt\.(?:equal|deepEqual|ok|is|true|false|throws)\w*\s*\(`,
  ],
  '',
);

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

function declared(text: string): string[] {
  return [...text.matchAll(DECLARED)].map((m) => m[2] ?? m[3] ?? m[4] ?? '');
}

function assertions(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => ASSERTS.test(l) && !l.startsWith('//') && !l.startsWith('#'));
}

/** Each item of `before` that `after` no longer has (as many times as it lost it). */
function lost(before: readonly string[], after: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const a of after) left.set(a, (left.get(a) ?? 0) + 1);
  return before.filter((b) => {
    const n = left.get(b) ?? 0;
    if (n > 0) left.set(b, n - 1);
    return n === 0;
  });
}

/** What the edit from `before` to `after` does to the existing tests, or null when it adds only. */
export function weakening(before: string, after: string): string | null {
  const skipsBefore = count(before, SKIPS);
  if (count(after, SKIPS) > skipsBefore) {
    const marker = lost(after.match(SKIPS) ?? [], before.match(SKIPS) ?? [])[0];
    return `marks a test skipped or focused (${marker?.trim() ?? 'a skip marker'})`;
  }
  const gone = lost(declared(before), declared(after));
  if (gone.length) return `deletes the test ${JSON.stringify(gone[0])}`;
  const loosened = lost(assertions(before), assertions(after));
  if (loosened.length) return `removes or changes the assertion \`${loosened[0]}\``;
  return null;
}
