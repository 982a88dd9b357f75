/** What counts as weakening an existing test: deleting, skipping or focusing one, or loosening an
 * assertion; adding tests never does. */
import { describe, expect, it } from 'vitest';
import { weakening } from '../../../automation/fix/safety/test-weakening.js';

const JS =
  "import { it, expect } from 'vitest';\nit('adds', () => {\n  expect(add(1, 2)).toBe(3);\n});\n";
const PY = 'def test_add():\n    assert add(1, 2) == 3\n';

describe('test weakening', () => {
  it('allows adding tests, in JavaScript and Python', () => {
    expect(
      weakening(JS, `${JS}it('subtracts', () => {\n  expect(sub(3, 1)).toBe(2);\n});\n`),
    ).toBeNull();
    expect(weakening(PY, `${PY}\n\ndef test_sub():\n    assert sub(3, 1) == 2\n`)).toBeNull();
  });

  it('refuses skips, focus and todos', () => {
    expect(weakening(JS, JS.replace("it('adds'", "it.skip('adds'"))).toMatch(
      /skipped or focused \(it\.skip\)/,
    );
    expect(weakening(JS, JS.replace("it('adds'", "it.only('adds'"))).toMatch(/\(it\.only\)/);
    expect(weakening(JS, JS.replace("it('adds'", "xit('adds'"))).toMatch(/xit\s*\(/);
    expect(weakening(PY, `import pytest\n\n@pytest.mark.skip\n${PY}`)).toMatch(
      /@pytest\.mark\.skip/,
    );
  });

  it('refuses deleted tests and removed or changed assertions', () => {
    expect(weakening(JS, "import { it, expect } from 'vitest';\n")).toMatch(
      /deletes the test "adds"/,
    );
    expect(weakening(JS, JS.replace('toBe(3)', 'toBeDefined()'))).toMatch(
      /removes or changes the assertion `expect\(add\(1, 2\)\)\.toBe\(3\);`/,
    );
    expect(weakening(PY, PY.replace('== 3', '!= None'))).toMatch(/assert add\(1, 2\) == 3/);
  });
});
