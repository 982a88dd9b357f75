/**
 * The rule index answers exactly what `ignore` answers, on generated rule files that mix every
 * syntax (negation, anchors, wildcards, ranges, escapes, case), and a 10,000-rule file is quick.
 */
import ignore from 'ignore';
import { describe, expect, it } from 'vitest';
import { GitignoreMatcher } from '../../automation/watch/gitignore.js';
import { IndexedRules } from '../../automation/watch/indexed-rules.js';

/** A small deterministic PRNG (mulberry32), so a failure names its seed. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  return { next, pick };
}

const NAMES = ['src', 'Src', 'lib', 'a', 'b.js', 'B.JS', 'x.test.ts', 'build-1', 'σ', 'ς', 'ſrc'];
const PATTERN_SEGMENTS = [
  ...NAMES,
  '*',
  '**',
  '*.js',
  '*.JS',
  '*.ts',
  'b.*',
  '?.js',
  '[ab]',
  '[!a].js',
  '\\!x',
  '\\#y',
  'src ',
  'src\\ ',
  '.',
];

function rulesText(r: ReturnType<typeof random>, count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const depth = 1 + Math.floor(r.next() * 3);
    let line = Array.from({ length: depth }, () => r.pick(PATTERN_SEGMENTS)).join('/');
    if (r.next() < 0.2) line = `/${line}`;
    if (r.next() < 0.2) line = `${line}/`;
    if (r.next() < 0.15) line = `!${line}`;
    if (r.next() < 0.03) line = `# ${line}`;
    lines.push(line);
  }
  return lines.join(r.next() < 0.5 ? '\n' : '\r\n');
}

describe('IndexedRules', () => {
  it('answers as ignore does, rule for rule, on generated rule files', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = random(seed);
      const text = rulesText(r, 64 + Math.floor(r.next() * 200));
      const indexed = new IndexedRules(text);
      const reference = ignore().add(text);
      for (let i = 0; i < 300; i++) {
        const depth = 1 + Math.floor(r.next() * 4);
        const path =
          Array.from({ length: depth }, () => r.pick(NAMES)).join('/') +
          (r.next() < 0.3 ? '/' : '');
        expect({ seed, path, verdict: indexed.test(path) }).toEqual({
          seed,
          path,
          verdict: reference.test(path),
        });
      }
    }
  });

  it('tests a path of a 10,000-rule .gitignore against only the rules that can match it', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      i % 3 === 0 ? `build-${i}/` : i % 3 === 1 ? `*.gen${i}` : `docs/**/tmp${i}.txt`,
    );
    lines.push('!docs/keep/tmp2.txt', '*~');
    const text = lines.join('\n');
    const matcher = new GitignoreMatcher((dir) => (dir === '' ? text : undefined));
    expect(matcher.ignores('docs/keep/tmp2.txt', false)).toBe(false);
    expect(matcher.ignores('docs/keep/tmp5.txt', false)).toBe(true);
    expect(matcher.ignores('a/b.gen4', false)).toBe(true);
    expect(matcher.ignores('build-3/x/y.js', false)).toBe(true);
    expect(matcher.ignores('src/a.ts~', false)).toBe(true);
    expect(matcher.ignores('src/a.ts', false)).toBe(false);
    const rules = new IndexedRules(text);
    expect(rules.rulesTried('src/a.ts')).toBe(1); // `*~` may match any path
    expect(rules.rulesTried('docs/x/tmp5.txt')).toBe(2); // its own (rarest segment), and `*~`
    expect(rules.rulesTried('build-3/a.gen4')).toBe(3);
  });
});
