/** Human rendering of `fixloop doctor`. */
import type { DoctorReport } from '../doctor/check.js';
import type { Style } from './style.js';

export function formatDoctor(r: DoctorReport, s: Style): string {
  const width = Math.max(...r.checks.map((c) => c.name.length));
  const markOf = (status: string) =>
    status === 'ok'
      ? s.green('✓')
      : status === 'fail'
        ? s.red('✗')
        : status === 'warn'
          ? s.yellow('!')
          : s.dim('–');
  const lines = r.checks.map((c) => {
    const mark = markOf(c.status);
    const fix = c.fix ? `\n  ${' '.repeat(width)}  ${s.yellow(`fix: ${c.fix}`)}` : '';
    return `${mark} ${c.name.padEnd(width)}  ${c.detail}${fix}`;
  });
  lines.push(
    '',
    !r.ok
      ? s.red('Some checks failed; see the fixes above.')
      : r.checks.some((c) => c.status === 'warn')
        ? s.yellow('All checks passed, with warnings above.')
        : s.green('All checks passed.'),
  );
  return lines.join('\n');
}
