/** One line of `fixloop doctor`: a check, its status and, for a failure, what to do. */

export interface Check {
  name: string;
  /** `warn`: worth knowing, but nothing is broken (the exit code stays 0). */
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

/** A passing check. */
export const ok = (name: string, detail: string): Check => ({ name, status: 'ok', detail });
/** A failing check, with its fix. */
export const fail = (name: string, detail: string, fix: string): Check => ({
  name,
  status: 'fail',
  detail,
  fix,
});
/** A check that does not apply. */
export const skip = (name: string, detail: string): Check => ({ name, status: 'skip', detail });
/** A check that passes with a caveat, and what to do about it. */
export const warn = (name: string, detail: string, fix: string): Check => ({
  name,
  status: 'warn',
  detail,
  fix,
});
