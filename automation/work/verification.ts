/**
 * What a work order's tests showed (CONTRACT.md §5, Proof): the related tests, the suite run for
 * files no test relates to, the tests that prove the change (they fail at the base and pass with
 * it), and the failures set apart. Stored as `result.verification`; said in one line everywhere
 * an order is shown.
 */

export interface Verification {
  related: { passed: number; failed: number; files: string[] };
  /** The whole suite (the owning package's), run because a changed file has no related test. */
  suite: { passed: number; failed: number } | null;
  /** Tests of the order's that fail at the base and pass with the change (`file > name`). */
  proving: string[];
  /** Changed files no test relates to. */
  uncovered: string[];
  /** Tests failing at the base too (not the order's). */
  known: string[];
  /** Tests that failed once and passed when run again. */
  flaky: string[];
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** `2 tests prove it · 14 related pass · uncovered: README.md` (or `no test proves it · …`). */
export function verificationLine(v: Verification): string {
  const parts = [
    v.proving.length
      ? `${plural(v.proving.length, 'test proves', 'tests prove')} it`
      : 'no test proves it',
  ];
  if (v.related.passed) parts.push(`${v.related.passed} related pass`);
  if (v.suite) parts.push(`suite: ${v.suite.passed} pass`);
  if (v.uncovered.length) parts.push(`uncovered: ${v.uncovered.join(', ')}`);
  if (v.known.length) parts.push(`${plural(v.known.length, 'known failure', 'known failures')}`);
  if (v.flaky.length) parts.push(`${v.flaky.length} flaky`);
  return parts.join(' · ');
}

/** The verification of a task's result, when it has one. */
export function verificationOf(result: unknown): Verification | undefined {
  const v = (result as { verification?: unknown } | undefined)?.verification;
  return v && typeof v === 'object' && 'proving' in v ? (v as Verification) : undefined;
}
